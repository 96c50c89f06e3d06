// A folder literally named `index` is an ordinary URL segment (R2): it serves /api/index.
export async function GET(request) {
  return Response.json({ folder: "index", pathname: request.nextUrl.pathname, url: request.url });
}
export const POST = GET;
