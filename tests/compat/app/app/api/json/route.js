// request.json() on good and bad bodies (R136).
export async function POST(request) {
  return Response.json({ got: await request.json() });
}
