import { NextRequest, NextResponse } from "next/server";

// NextURL edits and NextRequest construction in a handler (R43, R50, R53).
export function GET(request) {
  const kind = request.nextUrl.searchParams.get("kind");
  if (kind === "clone-redirect") {
    const url = request.nextUrl.clone();
    url.pathname = "/api/hello";
    url.searchParams.set("from", "clone");
    url.searchParams.delete("kind");
    return NextResponse.redirect(url);
  }
  if (kind === "mutate") {
    const url = request.nextUrl;
    url.searchParams.append("added", "a b");
    url.hash = "h";
    return Response.json({ search: url.search, href: url.href, again: request.nextUrl.search });
  }
  if (kind === "relative-request") return Response.json({ url: new NextRequest("/x").url });
  if (kind === "base-path-request") {
    const r = new NextRequest("http://a.test/b/c?d=1", { nextConfig: { basePath: "/b" } });
    return Response.json({
      pathname: r.nextUrl.pathname,
      basePath: r.nextUrl.basePath,
      href: r.nextUrl.href,
    });
  }
  if (kind === "json-204") return Response.json(null, { status: 204 });
  if (kind === "null-304") return new Response(null, { status: 304, headers: { "x-n": "1" } });
  return new Response("no kind", { status: 400 });
}
