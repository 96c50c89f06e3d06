// force-dynamic: no cache headers (R78).
export const dynamic = "force-dynamic";
export function GET() {
  return Response.json({ cached: "no" });
}
