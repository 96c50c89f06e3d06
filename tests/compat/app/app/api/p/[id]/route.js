export const GET = async (_r, ctx) => Response.json({ route: "dynamic", ...(await ctx.params) });
