export async function GET(request, ctx) {
  return Response.json({
    route: "pb",
    params: await ctx.params,
    proxied: request.headers.get("x-from-proxy"),
  });
}
