// The proxy of the rule-engine fuzz (R126–R128): it only marks what it saw, so the differential test
// can tell for which paths it ran — a response header with the path and query it was given, and a
// request header the handlers echo. /pr/* is rewritten (R129).
import { NextResponse } from "next/server";

export function proxy(request) {
  const { pathname, search } = request.nextUrl;
  let res;
  if (pathname.startsWith("/pd/rw/")) {
    res = NextResponse.rewrite(new URL(`/echo/from-proxy${pathname.slice(6)}${search}`, request.url));
  } else {
    const headers = new Headers(request.headers);
    headers.set("x-from-proxy", pathname + search);
    res = NextResponse.next({ request: { headers } });
  }
  res.headers.set("x-px", pathname + search);
  return res;
}

export const config = {
  matcher: [
    "/pm/:path*",
    "/pa/:id(\\d+)",
    "/pb/:rest+",
    "/pd/(.*)",
    "/pe/:a/:b",
    "/items/:id",
    "/bf/:id",
    "/af/:path*",
    {
      source: "/pc/:x?",
      has: [{ type: "query", key: "px", value: "(?<pv>on|yes)" }],
      missing: [{ type: "cookie", key: "nopx" }],
    },
    { source: "/static", has: [{ type: "header", key: "x-gate" }] },
    "/neg/((?!skip).*)",
    { source: "/p/:id", missing: [{ type: "header", key: "x-skip", value: "1" }] },
  ],
};
