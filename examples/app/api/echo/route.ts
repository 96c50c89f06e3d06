// POST /api/echo — reads a JSON body and sends it back.
export async function POST(request: Request) {
  const body = await request.json();
  return Response.json({ received: body });
}
