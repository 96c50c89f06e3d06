// The request headers after a proxy replaced them with a fresh set (R47, R128): X-Forwarded-Host
// is then the -H host name the server was started with, whatever Host the client sent.
export function GET(request) {
  return Response.json([...request.headers]);
}
