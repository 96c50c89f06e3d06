// A root-level optional catch-all (R5, R16): what it receives for `/`, `/index` and the rest.
export async function GET(request, ctx) {
  const params = await ctx.params;
  return Response.json({ params, hasSlug: "slug" in params, pathname: request.nextUrl.pathname });
}

export const POST = GET;
