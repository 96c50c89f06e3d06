// request.nextUrl fields as a handler sees them (R14, R16, R43): encoded pathname, search, repeated
// query keys, basePath, and the catch-all elements decoded one by one.
export async function GET(request, ctx) {
  const u = request.nextUrl;
  return Response.json({
    params: await ctx.params,
    pathname: u.pathname,
    search: u.search,
    searchParams: [...u.searchParams],
    a: u.searchParams.getAll("a"),
    basePath: u.basePath,
    href: u.href,
    origin: u.origin,
    protocol: u.protocol,
    hash: u.hash,
    locale: u.locale ?? null,
    string: String(u),
    json: JSON.stringify({ u }),
    url: request.url,
  });
}
