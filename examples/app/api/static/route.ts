// GET /api/static — computed once at build time and served from the build output.
export const dynamic = "force-static";

export async function GET() {
  return Response.json({ builtAt: new Date().toISOString() });
}
