// %5F escapes a leading underscore (R7).
export const GET = () => Response.json({ route: "escaped underscore" });
