// generateStaticParams with dynamicParams left on: unknown params are generated and cached (R83).
export function generateStaticParams() {
  return [{ id: "a" }];
}
export async function GET(_request, ctx) {
  return Response.json({ id: (await ctx.params).id });
}
