// Served after a proxy that returned nothing (R132).
export function GET(request) {
  return Response.json({ seen: request.headers.get("x-from-proxy") });
}
