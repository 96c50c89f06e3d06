// Proxy cases of the differential suite (spec §10). Only /api/ck/proxied and /api/px/* run it.
import { NextResponse } from "next/server";

export function proxy(request) {
  const path = request.nextUrl.pathname;
  if (path === "/api/ck/proxied") {
    const res = NextResponse.next();
    res.cookies.set("p1", "from proxy");
    res.cookies.set({ name: "p2", value: "2", httpOnly: true, sameSite: "strict", path: "/api" });
    return res;
  }
  if (path === "/api/px/rewrite") return NextResponse.rewrite(new URL("/api/hello", request.url));
  if (path === "/api/px/rewrite-q")
    return NextResponse.rewrite(new URL("/api/url/r%20w?from=px&a=1", request.url));
  if (path === "/api/px/rewrite-h") {
    const res = NextResponse.rewrite(new URL("/api/hello", request.url));
    res.headers.set("x-first", "1");
    return res;
  }
  if (path === "/api/px/fresh")
    return NextResponse.next({ request: { headers: new Headers({ "x-only": "1" }) } });
  if (path === "/api/px/rewrite-keep") return NextResponse.rewrite(new URL("/api/url/k", request.url));
  if (path === "/api/px/rewrite-missing") return NextResponse.rewrite(new URL("/api/none", request.url));
  if (path === "/api/px/rewrite-post")
    return NextResponse.rewrite(new URL("/api/rw-echo?via=rw", request.url));
  if (path === "/api/px/method")
    return NextResponse.json({
      method: request.method,
      path: request.nextUrl.pathname,
      search: request.nextUrl.search,
      url: request.url,
    });
  if (path === "/api/px/fwd") {
    // What the proxy sees of X-Forwarded-* (R47): next start adds them before the proxy runs.
    const names = ["x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-forwarded-host"];
    const saw = names.map((n) => [n, request.headers.get(n)]);
    const mode = request.nextUrl.searchParams.get("m");
    if (mode === "sc")
      return NextResponse.json({ saw, url: request.url, hostname: request.nextUrl.hostname });
    let res;
    if (mode === "copy") res = NextResponse.next({ request: { headers: new Headers(request.headers) } });
    else if (mode === "https") {
      const headers = new Headers(request.headers);
      headers.set("x-forwarded-proto", "https");
      res = NextResponse.next({ request: { headers } });
    } else if (mode === "fresh")
      res = NextResponse.next({ request: { headers: new Headers({ "x-only": "1" }) } });
    else res = NextResponse.next();
    res.headers.set("x-proxy-saw", JSON.stringify(saw));
    return res;
  }
  if (path === "/api/px/plain" && request.nextUrl.searchParams.has("init"))
    return NextResponse.next({ headers: { "x-init": "1" } });
  if (path === "/api/px/plain") return;
  if (path === "/api/px/throw") throw new Error("proxy failed");
  if (path === "/api/px/deny-cookie") {
    const res = NextResponse.json({ denied: true }, { status: 403 });
    res.cookies.set("d", "1", { httpOnly: true });
    return res;
  }
  if (path === "/api/px/rewrite-cookie") {
    // Only what the client gets: next start 16.4.6 shows the handler neither request.cookies nor
    // cookies() with the proxy's cookie (approute does, per R131).
    const res = NextResponse.rewrite(new URL("/api/hello", request.url));
    res.cookies.set("rw", "from proxy");
    return res;
  }
  if (path === "/api/px/redirect-cookie") {
    const res = NextResponse.redirect(new URL("/api/hello", request.url), 303);
    res.cookies.set("rd", "1");
    return res;
  }
  if (path === "/api/px/json")
    return NextResponse.json({ from: "proxy" }, { status: 418, headers: { "x-j": "1" } });
  if (path === "/api/px/redirect") return NextResponse.redirect(new URL("/api/hello?from=px", request.url));
  if (path === "/api/px/permanent") return NextResponse.redirect("https://example.com/x", 308);
  if (path === "/api/px/deny") return new Response("no", { status: 401, headers: { "x-deny": "1" } });
  if (path === "/api/px/guard" && request.cookies.get("role")?.value !== "admin") {
    return new Response("forbidden", { status: 403 });
  }
  const headers = new Headers(request.headers);
  headers.set("x-from-proxy", "yes");
  headers.delete("x-drop-me");
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("x-proxy-res", "1");
  return res;
}

export const config = {
  matcher: [
    "/api/ck/proxied",
    "/api/px/:path*",
    // Conditional matchers (R126): only with the header, and only without the cookie.
    {
      source: "/api/pxh/:path*",
      has: [{ type: "header", key: "x-go", value: "yes" }],
      missing: [{ type: "cookie", key: "skip" }],
    },
  ],
};
