// GET /api/hello — the smallest JSON answer.
export function GET() {
  return Response.json({ message: "Hello, World!" });
}
