export async function GET(_request, ctx) {
  const params = await ctx.params;
  return Response.json({ params, hasSlug: "slug" in params });
}
