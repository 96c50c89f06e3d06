// force-static: prerendered, and the handler sees a masked request (R74, R75, R77).
export const dynamic = "force-static";
export async function GET(request) {
  return Response.json({
    url: request.url,
    search: request.nextUrl.search,
    params: [...request.nextUrl.searchParams],
    headerCount: [...request.headers].length,
    cookieCount: request.cookies.size,
  });
}
