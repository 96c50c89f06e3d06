// The request headers after a proxy replaced them with a fresh set (R47, R128). x-forwarded-host
// is left out: without a Host header next start names its own -H hostname there.
export function GET(request) {
  return Response.json([...request.headers].filter(([name]) => name !== "x-forwarded-host"));
}
