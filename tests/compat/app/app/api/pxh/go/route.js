// Reached when the proxy's conditional matcher did not answer (R126).
export function GET(request) {
  return Response.json({ seen: request.headers.get("x-from-proxy") });
}
