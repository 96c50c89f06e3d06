// What a handler sees after next.config rules and the proxy (R146–R150, R127): the echo target of
// every redirect and rewrite in next.config.mjs.
export async function GET(request, ctx) {
  const u = request.nextUrl;
  return Response.json({
    route: "echo",
    params: await ctx.params,
    pathname: u.pathname,
    search: u.search,
    query: [...u.searchParams],
    url: request.url,
    proxied: request.headers.get("x-from-proxy"),
  });
}
