// force-static with a POST export: not prerendered, but the request is still masked (R73, R77).
export const dynamic = "force-static";
export function GET(request) {
  return Response.json({ url: request.url, headerCount: [...request.headers].length });
}
export function POST() {
  return new Response("post");
}
