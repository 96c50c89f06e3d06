// GET /api/users/[id] — a dynamic segment read from the params promise.
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return Response.json({ id, name: `User ${id}` });
}
