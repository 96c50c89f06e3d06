// The root route (R2): app/route.js serves "/".
export function GET(request) {
  return Response.json({ root: true, search: request.nextUrl.search });
}
