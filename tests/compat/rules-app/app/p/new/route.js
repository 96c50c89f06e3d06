export function GET(request) {
  return Response.json({ route: "p/new", url: request.url });
}
