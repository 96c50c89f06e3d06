// Not a route: only route.* files are (R1).
export const word = "side";
export const GET = () => new Response("helper must not be routable");
