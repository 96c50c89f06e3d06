// A route on the edge runtime (R86): the same request data as on Node.
export const runtime = "edge";
export async function GET(request) {
  return Response.json({
    url: request.url,
    pathname: request.nextUrl.pathname,
    search: request.nextUrl.search,
    a: request.headers.get("x-a"),
    ip: request.ip ?? null,
  });
}
export async function POST(request) {
  return Response.json({ body: await request.text() });
}
