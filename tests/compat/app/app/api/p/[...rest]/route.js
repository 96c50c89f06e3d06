export const GET = async (_r, ctx) => Response.json({ route: "catchAll", ...(await ctx.params) });
