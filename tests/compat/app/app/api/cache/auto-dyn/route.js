// revalidate = 60 but the handler reads the query: the route becomes dynamic (R80).
export const revalidate = 60;
export function GET(request) {
  return Response.json({ q: request.nextUrl.searchParams.get("q") });
}
