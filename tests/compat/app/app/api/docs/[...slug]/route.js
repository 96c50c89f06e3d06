export async function GET(_request, ctx) {
  return Response.json({ params: await ctx.params });
}
