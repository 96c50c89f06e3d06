// dynamic = "error": prerendered, served from the cache (R74, R79).
export const dynamic = "error";
export function GET() {
  return Response.json({ cached: "error" });
}
