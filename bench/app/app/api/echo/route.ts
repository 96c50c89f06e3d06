// POST /api/echo — parse a JSON body (about 1 KB in the benchmark) and send it back.
export async function POST(request: Request) {
  const body = await request.json();
  return Response.json(body);
}
