// Only HEAD: GET is not derived from it (R19, R22).
export function HEAD() {
  return new Response(null, { headers: { "x-head": "only" } });
}
