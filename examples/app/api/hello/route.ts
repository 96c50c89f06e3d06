// GET /api/hello — the smallest route handler.
export async function GET() {
  return Response.json({ message: "Hello from approute" });
}
