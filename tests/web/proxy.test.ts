// proxy.ts (spec §10, R124–R135) through the real build and the real Node server: matcher hits and
// misses (paths, has/missing), header forwarding, rewrite, redirect, short-circuit, cookies reaching
// the client and the handler, errors, and the x-middleware-* spoofing family (CVE-2025-29927).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createApp, ErrorCode } from "approute";
import { type CapturedLog, captureLogger, type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { rawRequest, simple } from "../helpers/raw.ts";

let fx: FixtureServer;
before(async () => {
  fx = await startFixture("proxy");
});
after(() => fx.close());

const get = (path: string, init: RequestInit = {}) => fetch(fx.url + path, { redirect: "manual", ...init });

function assertNoInternalHeaders(res: Response): void {
  for (const name of res.headers.keys()) assert.ok(!name.startsWith("x-middleware-"), `leaked ${name}`);
}

describe("matcher (R126)", () => {
  test("a matching path runs the proxy; its response headers reach the client (R128)", async () => {
    const res = await get("/api/hello");
    assert.equal(res.status, 200);
    // Proxy headers are set before the route's: the proxy's value wins, as in next start.
    assert.equal(res.headers.get("x-proxy-res"), "1");
    assert.deepEqual(res.headers.getSetCookie(), ["m=1; Path=/"]);
    assertNoInternalHeaders(res);
  });

  test("a path outside the matcher does not run it", async () => {
    const res = await get("/other");
    assert.deepEqual(await res.json(), { fromProxy: null });
    assert.equal(res.headers.get("x-proxy-res"), null);
  });

  test("has: header with a regex value", async () => {
    assert.deepEqual(await (await get("/cond/1")).json(), { fromProxy: null });
    assert.deepEqual(await (await get("/cond/1", { headers: { "x-cond": "no" } })).json(), {
      fromProxy: null,
    });
    assert.deepEqual(await (await get("/cond/1", { headers: { "x-cond": "on" } })).json(), {
      fromProxy: "yes",
    });
  });

  test("missing: query", async () => {
    assert.deepEqual(await (await get("/miss/1")).json(), { fromProxy: "yes" });
    assert.deepEqual(await (await get("/miss/1?skip=1")).json(), { fromProxy: null });
  });

  test("the proxy also runs for 404 and 405 answers and adds its headers (R128)", async () => {
    const missing = await get("/api/none");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("x-proxy-res"), "1");
    const notAllowed = await get("/api/hello", { method: "DELETE" });
    assert.equal(notAllowed.status, 405);
    assert.equal(notAllowed.headers.get("x-proxy-res"), "1");
  });
});

describe("continue", () => {
  test("next({ request: { headers } }) replaces the handler's request headers (R47, R128)", async () => {
    const res = await get("/api/hdr", { headers: { "x-drop-me": "1", cookie: "old=1" } });
    const body = await res.json();
    assert.equal(body.request["x-from-proxy"], "yes");
    assert.equal(body.request["x-drop-me"], undefined);
    assert.equal(body.headers["x-from-proxy"], "yes", "headers() sees the same set (R64)");
    // As next start: headers the proxy put on its response are visible to the handler too.
    assert.equal(body.request["x-proxy-res"], "1");
  });

  test("the proxy sees X-Forwarded-*; a fresh header set gets the connection's, not the client's (R47, R128)", async () => {
    const port = new URL(fx.url).port;
    const plain = await get("/api/hdr?fresh=1");
    assert.equal(plain.headers.get("x-saw-for"), "127.0.0.1");
    assert.equal(plain.headers.get("x-saw-port"), port);
    const res = await get("/api/hdr?fresh=1", {
      headers: { "x-forwarded-for": "1.2.3.4", "x-forwarded-port": "8443", "x-forwarded-proto": "https" },
    });
    assert.equal(res.headers.get("x-saw-for"), "1.2.3.4", "the proxy sees what the client sent");
    assert.equal(res.headers.get("x-saw-port"), "8443");
    const { request } = await res.json();
    assert.equal(request["x-only"], "1");
    assert.equal(request["x-forwarded-for"], "127.0.0.1", "as next start: from the socket");
    assert.equal(request["x-forwarded-port"], port);
    assert.equal(request["x-forwarded-proto"], "http");
  });

  test("cookies set by the proxy reach the client and the handler's cookies() (R131)", async () => {
    const res = await get("/api/hdr", { headers: { cookie: "old=1" } });
    assert.deepEqual(res.headers.getSetCookie(), ["m=1; Path=/"]);
    const body = await res.json();
    assert.deepEqual(body.cookies, [
      { name: "old", value: "1", path: "/" },
      { name: "m", value: "1", path: "/" },
    ]);
    assert.deepEqual(body.requestCookies, [
      { name: "old", value: "1" },
      { name: "m", value: "1" },
    ]);
  });

  test("returning nothing continues to the handler unchanged (R132)", async () => {
    const res = await get("/api/nothing");
    assert.deepEqual(await res.json(), { fromProxy: null });
    assert.equal(res.headers.get("set-cookie"), null);
  });

  test("the proxy can read the body and the handler still receives it whole", async () => {
    const payload = "x".repeat(100_000);
    const res = await get("/api/echo", { method: "POST", body: payload, headers: { "x-peek": "1" } });
    assert.equal(res.headers.get("x-peeked"), String(payload.length));
    assert.equal(await res.text(), payload);
  });

  test("a body the proxy never reads streams straight to the handler", async () => {
    const res = await get("/api/echo", { method: "POST", body: "hello" });
    assert.equal(res.headers.get("x-seen-proxy"), "yes");
    assert.equal(await res.text(), "hello");
  });
});

describe("rewrite, redirect, short-circuit", () => {
  test("rewrite() serves another route, whose request.url is the rewrite's target (R129)", async () => {
    // next start hands the handler the target URL; tests/compat/next-diff.test.ts checks it there.
    const res = await get("/api/mw");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      hello: "world",
      url: `${fx.url.replace("127.0.0.1", "localhost")}/api/hello`,
    });
    // A4: unlike next start, the rewrite target is not disclosed.
    assert.equal(res.headers.get("x-middleware-rewrite"), null);
    assertNoInternalHeaders(res);
  });

  test("redirect() answers directly with a relative same-origin Location (R130)", async () => {
    const res = await get("/api/go");
    assert.equal(res.status, 307);
    assert.equal(res.headers.get("location"), "/api/hello?from=go");
    assert.equal(await res.text(), "/api/hello?from=go");
  });

  test("a 308 redirect to another origin keeps the absolute URL and adds Refresh", async () => {
    const res = await get("/api/goext");
    assert.equal(res.status, 308);
    assert.equal(res.headers.get("location"), "https://example.com/x");
    assert.equal(res.headers.get("refresh"), "0;url=https://example.com/x");
  });

  test("any other Response short-circuits; the handler never runs (R130)", async () => {
    const res = await get("/api/deny");
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("x-deny"), "1");
    assert.equal(await res.text(), "no");
  });

  test("a proxy that throws answers an empty 500 and logs the error", async () => {
    const res = await get("/api/throw");
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "");
    assert.ok(
      fx.logs.some((l) => l.level === "error" && String((l.error as Error)?.message) === "proxy boom"),
    );
  });

  test("waitUntil() and after() failures in the proxy are logged, never sent (R132, R142)", async () => {
    const res = await get("/api/after");
    assert.equal(await res.text(), "after");
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const messages = fx.logs.map((l) => String((l.error as Error)?.message));
      if (messages.includes("waitUntil rejected") && messages.includes("after in proxy failed")) return;
      await new Promise((r) => setImmediate(r));
    }
    assert.fail("after()/waitUntil errors were not logged");
  });
});

describe("clients cannot skip or steer the proxy (R133, R134, CVE-2025-29927)", () => {
  test("x-middleware-subrequest does not skip the proxy", async () => {
    for (const value of [
      "proxy:proxy:proxy:proxy:proxy",
      "middleware:middleware:middleware:middleware:middleware",
      "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
      "pages/_middleware",
    ]) {
      const res = await get("/api/admin/secret", { headers: { "x-middleware-subrequest": value } });
      assert.equal(res.status, 403, value);
      assert.equal(await res.text(), "forbidden");
    }
  });

  test("a spoofed override of the request headers is ignored", async () => {
    const res = await get("/api/admin/secret", {
      headers: {
        "x-middleware-override-headers": "cookie",
        "x-middleware-request-cookie": "role=admin",
        "x-middleware-next": "1",
      },
    });
    assert.equal(res.status, 403);
  });

  test("a spoofed x-middleware-rewrite does not rewrite (R134)", async () => {
    const res = await get("/api/hello", { headers: { "x-middleware-rewrite": "/api/admin/secret" } });
    assert.equal((await res.json()).hello, "world");
  });

  test("the handler never sees client-sent x-middleware-* headers", async () => {
    const res = await get("/api/hdr", {
      headers: { "x-middleware-subrequest": "proxy", "x-middleware-set-cookie": "role=admin; Path=/" },
    });
    const body = await res.json();
    for (const name of Object.keys(body.request)) assert.ok(!name.startsWith("x-middleware-"), name);
    assert.ok(!body.cookies.some((c: { name: string }) => c.name === "role"));
  });

  test("the real cookie still opens the gate (the test above can fail)", async () => {
    const res = await get("/api/admin/secret", { headers: { cookie: "role=admin" } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "secret");
  });

  test("raw request with mixed-case spoofed headers", async () => {
    const res = await rawRequest(
      fx.url,
      simple("GET", "/api/admin/secret", "X-Middleware-Subrequest: proxy:proxy:proxy:proxy:proxy\r\n"),
    );
    assert.equal(res.status, 403);
  });
});

describe("in-process fetch entry", () => {
  test("app.fetch runs the same proxy and strips spoofed headers", async () => {
    const res = await fx.app.fetch(
      new Request("http://localhost/api/admin/secret", {
        headers: { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
      }),
    );
    assert.equal(res.status, 403);
    const ok = await fx.app.fetch(new Request("http://localhost/api/hello"));
    assert.equal(ok.headers.get("x-proxy-res"), "1");
  });
});

describe("the proxy module is checked at start (R124, R125, R126)", () => {
  const make =
    (module: Record<string, unknown>, kind: "proxy" | "middleware" = "proxy") =>
    () =>
      createApp({ routes: [], proxy: { file: `${kind}.ts`, kind, module } });
  const code = (error: Error & { code?: string }) => error.code === ErrorCode.INVALID_PROXY;

  test("no exported function", () => {
    assert.throws(
      make({ config: {} }),
      (e: Error & { code?: string }) => code(e) && /must export a function named "proxy"/.test(e.message),
    );
  });
  test("route segment config is refused", () => {
    assert.throws(
      make({ proxy: () => {}, runtime: "edge" }),
      (e: Error & { code?: string }) => code(e) && /export const runtime/.test(e.message),
    );
  });
  test("a matcher that does not start with / is refused", () => {
    assert.throws(
      make({ proxy: () => {}, config: { matcher: ["api/:path*"] } }),
      (e: Error & { code?: string }) => code(e) && /config\.matcher\[0\]/.test(e.message),
    );
  });
  test("middleware.ts still works and warns once that the convention is deprecated", () => {
    const logs: CapturedLog[] = [];
    createApp({
      routes: [],
      logger: captureLogger(logs),
      proxy: { file: "middleware.ts", kind: "middleware", module: { middleware: () => {} } },
    });
    assert.equal(
      logs.filter((l) => l.level === "warn" && /"middleware" file convention is deprecated/.test(l.message))
        .length,
      1,
    );
  });
});
