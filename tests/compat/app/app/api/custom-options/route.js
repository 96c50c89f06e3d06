export function GET() {
  return new Response("get");
}
export function OPTIONS() {
  return new Response(null, { status: 200, headers: { "x-opt": "1" } });
}
