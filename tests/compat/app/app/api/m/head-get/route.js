// An exported HEAD wins over the GET fallback (R20).
export function GET() {
  return new Response("get body", { headers: { "x-from": "get" } });
}
export function HEAD() {
  return new Response(null, { status: 202, headers: { "x-from": "head" } });
}
