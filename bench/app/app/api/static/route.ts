// GET /api/static — force-static: Next prerenders it at build time and serves the stored body.
export const dynamic = "force-static";

export function GET() {
  return Response.json({ static: true, items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
}
