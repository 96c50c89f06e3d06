// force-static with a param and no generateStaticParams: generated on first request, then cached (R83).
export const dynamic = "force-static";
export async function GET(_request, ctx) {
  return Response.json({ id: (await ctx.params).id });
}
