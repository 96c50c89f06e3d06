export const GET = () => Response.json({ route: "group" });
