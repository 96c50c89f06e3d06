// Only OPTIONS: every other method is 405, HEAD included (R21, R23).
export function OPTIONS() {
  return new Response(null, { status: 204, headers: { allow: "OPTIONS" } });
}
