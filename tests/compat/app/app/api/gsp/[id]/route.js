// generateStaticParams + dynamicParams = false (R82, R83).
export const dynamicParams = false;
export function generateStaticParams() {
  return [{ id: "a" }, { id: "b" }];
}
export async function GET(_request, ctx) {
  return Response.json({ id: (await ctx.params).id });
}
