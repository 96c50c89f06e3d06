export const GET = async (_r, ctx) => Response.json({ route: "group dynamic", ...(await ctx.params) });
