export function GET(request) {
  return Response.json({ route: "static", url: request.url, proxied: request.headers.get("x-from-proxy") });
}
