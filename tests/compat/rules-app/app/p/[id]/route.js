export async function GET(request, ctx) {
  return Response.json({ route: "p/[id]", params: await ctx.params, url: request.url });
}
