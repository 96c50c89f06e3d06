export async function GET(request, ctx) {
  return Response.json({ route: "items", params: await ctx.params, url: request.url });
}
