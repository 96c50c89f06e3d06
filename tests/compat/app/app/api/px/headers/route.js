// What the handler sees after NextResponse.next({ request: { headers } }) (R47, R128).
export function GET(request) {
  const pick = (name) => request.headers.get(name);
  return Response.json({
    fromProxy: pick("x-from-proxy"),
    dropped: pick("x-drop-me"),
    proxyRes: pick("x-proxy-res"),
  });
}
