export async function GET(request, ctx) {
  const params = await ctx.params;
  return Response.json({
    params,
    pathname: request.nextUrl.pathname,
    search: request.nextUrl.search,
    url: request.url,
  });
}
