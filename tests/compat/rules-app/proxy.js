// The proxy of the rule-engine fuzz (R126–R128): it only marks what it saw, so the differential test
// can tell for which paths it ran — a response header with the path and query it was given, and a
// request header the handlers echo. /pd/rw/*, /pd/miss/*, /pd/af/* and /pd/to/* are rewritten (R129):
// to the echo route, to a path no route serves, to a path an afterFiles rewrite (and the proxy's own
// matcher) covers, and to any path given after /pd/to.
import { NextResponse } from "next/server";

export function proxy(request) {
  const { pathname, search } = request.nextUrl;
  let res;
  if (pathname.startsWith("/pd/rw/")) {
    res = NextResponse.rewrite(new URL(`/echo/from-proxy${pathname.slice(6)}${search}`, request.url));
  } else if (pathname.startsWith("/pd/miss/")) {
    res = NextResponse.rewrite(new URL(`/nope${pathname.slice(8)}?rw=miss`, request.url));
  } else if (pathname.startsWith("/pd/af/")) {
    res = NextResponse.rewrite(new URL(`/af${pathname.slice(6)}${search}`, request.url));
  } else if (pathname.startsWith("/pd/to/")) {
    res = NextResponse.rewrite(new URL(`${pathname.slice(6)}${search}`, request.url));
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
