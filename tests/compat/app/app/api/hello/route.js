export async function GET(request) {
  return Response.json({ hello: "world", method: request.method }, { headers: { "x-custom": "1" } });
}
