// basePath together with the proxy and next.config rules (R126, R146, R149, R150), in-process
// through the app's fetch entry: matchers and sources see the path inside basePath, internal
// redirect destinations get basePath back, `basePath: false` rules see the full path.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createApp } from "approute";
import { NextResponse } from "approute/server";

const hello = {
  GET: (request: Request & { nextUrl: { pathname: string; basePath: string } }) =>
    Response.json({
      pathname: request.nextUrl.pathname,
      basePath: request.nextUrl.basePath,
      seen: request.headers.get("x-seen"),
    }),
};

const app = createApp({
  routes: [
    {
      file: "app/api/hello/route.ts",
      segments: [
        { kind: "static", value: "api" },
        { kind: "static", value: "hello" },
      ],
      module: hello,
    },
  ],
  proxy: {
    file: "proxy.ts",
    kind: "proxy",
    module: {
      proxy: (request: Request & { nextUrl: URL }) => {
        if (request.nextUrl.pathname === "/api/mw")
          return NextResponse.rewrite(new URL("/docs/api/hello", request.url));
        const headers = new Headers(request.headers);
        headers.set("x-seen", "proxy");
        return NextResponse.next({ request: { headers } });
      },
      config: { matcher: ["/api/:path*"] },
    },
  },
  config: {
    basePath: "/docs",
    redirects: [
      { source: "/old", destination: "/api/hello", permanent: false },
      { source: "/outside", destination: "/docs/api/hello", permanent: true, basePath: false },
    ],
    rewrites: [{ source: "/r", destination: "/api/hello" }],
  },
});

const get = (path: string) => app.fetch(new Request(`http://localhost${path}`, { redirect: "manual" }));

describe("basePath with proxy and config rules", () => {
  test("the proxy matcher sees the path inside basePath", async () => {
    assert.deepEqual(await (await get("/docs/api/hello")).json(), {
      pathname: "/api/hello",
      basePath: "/docs",
      seen: "proxy",
    });
  });

  test("a proxy rewrite to an absolute URL with basePath serves the inner route", async () => {
    // R129: the handler sees the rewrite's target, as in next start.
    assert.deepEqual(await (await get("/docs/api/mw")).json(), {
      pathname: "/api/hello",
      basePath: "/docs",
      seen: null,
    });
  });

  test("redirect destinations get basePath back; basePath: false rules match the full path", async () => {
    const inner = await get("/docs/old");
    assert.equal(inner.status, 307);
    assert.equal(inner.headers.get("location"), "/docs/api/hello");
    const outside = await get("/outside");
    assert.equal(outside.status, 308);
    assert.equal(outside.headers.get("location"), "/docs/api/hello");
    assert.equal((await get("/old")).status, 404, "rules under basePath do not match outside it");
  });

  test("rewrites resolve inside basePath", async () => {
    assert.deepEqual(await (await get("/docs/r")).json(), { pathname: "/r", basePath: "/docs", seen: null });
  });
});
