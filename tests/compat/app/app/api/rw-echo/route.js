// Reached through a proxy rewrite with the request body (R129, R138).
export async function POST(request) {
  return Response.json({ url: request.url, body: await request.text() });
}
export function GET(request) {
  return Response.json({ method: request.method, url: request.url });
}
