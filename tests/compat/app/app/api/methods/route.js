export async function POST(request) {
  return Response.json({ method: "POST", body: await request.text() });
}
export async function PUT() {
  return new Response(null, { status: 204 });
}
