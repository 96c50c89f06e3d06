// The X-Forwarded-* headers the handler sees behind the proxy, and what the proxy itself saw
// (x-proxy-saw, which it put on its response) (R47, R128), and request.url, whose scheme follows
// the X-Forwarded-Proto of the headers the handler got (R42). After a fresh header set there is no
// Host, and next start names its own -H hostname in x-forwarded-host: that one is left out.
export function GET(request) {
  const fresh = request.nextUrl.searchParams.get("m") === "fresh";
  const names = ["x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-forwarded-host", "host"];
  return Response.json({
    handler: names
      .filter((n) => !(fresh && n === "x-forwarded-host"))
      .map((n) => [n, request.headers.get(n)]),
    url: request.url,
    proxy: JSON.parse(request.headers.get("x-proxy-saw") ?? "null"),
  });
}
