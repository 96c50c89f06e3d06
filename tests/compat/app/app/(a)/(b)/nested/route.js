export const GET = () => Response.json({ route: "nested groups" });
