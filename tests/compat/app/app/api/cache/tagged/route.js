// A revalidated route that /api/cache/purge invalidates (R84, R110).
export const revalidate = 60;
export function GET() {
  return Response.json({ cached: "tagged" });
}
