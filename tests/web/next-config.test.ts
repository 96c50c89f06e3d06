// next.config options that matter to route handlers (spec §12): headers(), redirects(), rewrites()
// (internal and external), their order with the proxy (R127), env, compress, and validation.
import assert from "node:assert/strict";
import { createServer, get as httpGet, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { createApp, ErrorCode } from "approute";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";

let fx: FixtureServer;
let upstream: Server;
const upstreamSeen: Array<{
  method: string;
  url: string;
  host: string;
  body: string;
  headers: IncomingHttpHeaders;
}> = [];

before(async () => {
  upstream = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      upstreamSeen.push({
        method: req.method!,
        url: req.url!,
        host: req.headers.host!,
        body,
        headers: req.headers,
      });
      res.writeHead(201, { "content-type": "application/json", "x-upstream": "1" });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  process.env.APPROUTE_TEST_UPSTREAM = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  fx = await startFixture("config-rules");
});
after(async () => {
  await fx.close();
  await new Promise((r) => upstream.close(r));
});

const get = (path: string, init: RequestInit = {}) => fetch(fx.url + path, { redirect: "manual", ...init });

/** A GET over node:http that does not decode the body, so encodings can be asserted. */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
  });
}

describe("headers() (R148)", () => {
  test("matching rules add headers; config values win over the handler's as in next start", async () => {
    const res = await get("/api/hello");
    assert.equal(res.headers.get("x-cfg"), "cfg");
    assert.equal(res.headers.get("x-both"), "from-config");
    assert.equal(res.headers.get("x-tagged"), null);
  });

  test("params are substituted into values; has conditions apply", async () => {
    assert.equal((await get("/api/items/7")).headers.get("x-item"), "item-7");
    assert.equal((await get("/api/hello?tag=1")).headers.get("x-tagged"), "yes");
  });

  test("paths outside every source get nothing", async () => {
    const res = await get("/r/5");
    assert.equal(res.headers.get("x-cfg"), null, "headers match the requested path, not the rewrite target");
  });
});

describe("redirects() (R149) and order (R127)", () => {
  test("permanent: false → 307 with Location and the location as body; wins over the proxy", async () => {
    const res = await get("/old");
    assert.equal(res.status, 307);
    assert.equal(res.headers.get("location"), "/api/hello");
    assert.equal(await res.text(), "/api/hello");
  });

  test("the request query is kept; sources are case-insensitive", async () => {
    assert.equal((await get("/old?a=1&b=2")).headers.get("location"), "/api/hello?a=1&b=2");
    assert.equal((await get("/OLD")).headers.get("location"), "/api/hello");
  });

  test("permanent: true → 308 + Refresh; params and destination query merge", async () => {
    const res = await get("/perm/5?x=9&y=2");
    assert.equal(res.status, 308);
    assert.equal(res.headers.get("location"), "/api/items/5?x=1&y=2");
    assert.equal(res.headers.get("refresh"), "0;url=/api/items/5?x=1&y=2");
  });

  test("statusCode and external destinations", async () => {
    const res = await get("/away");
    assert.equal(res.status, 301);
    assert.equal(res.headers.get("location"), "https://example.com/landing");
  });
});

describe("rewrites() (R150)", () => {
  test("beforeFiles, afterFiles and fallback serve the destination; request.url stays the original", async () => {
    const origin = fx.url.replace("127.0.0.1", "localhost");
    assert.deepEqual(await (await get("/bf/8")).json(), { params: { id: "8" }, url: `${origin}/bf/8` });
    assert.deepEqual(await (await get("/r/7")).json(), { params: { id: "7" }, url: `${origin}/r/7` });
    assert.equal((await (await get("/fb/x/y")).json()).hello, "world");
  });

  test("afterFiles rewrites are checked before dynamic routes", async () => {
    assert.equal((await (await get("/api/items/special")).json()).hello, "world");
    assert.deepEqual((await (await get("/api/items/other")).json()).params, { id: "other" });
  });

  test("external destinations are proxied with fetch; the captured path stays in the path", async () => {
    const res = await get("/ext/a/b?q=1", { method: "POST", body: "payload", headers: { "x-client": "c" } });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("x-upstream"), "1");
    assert.deepEqual(await res.json(), { method: "POST", url: "/upstream/a/b?q=1", body: "payload" });
    const seen = upstreamSeen.at(-1)!;
    assert.equal(seen.host, new URL(process.env.APPROUTE_TEST_UPSTREAM!).host, "Host is the upstream's");
    assert.equal(seen.headers["x-client"], "c");
  });

  test("a capture can never choose the upstream host (SSRF)", async () => {
    const before = upstreamSeen.length;
    const res = await get("/ext/evil.example%2F..%2F@other");
    assert.equal(res.status, 201);
    assert.equal(upstreamSeen.length, before + 1, "the request still went to the configured upstream");
  });
});

describe("env, unknown keys", () => {
  test("env entries are visible to handlers, also at module load", async () => {
    assert.deepEqual(await (await get("/api/env")).json(), { env: "from-config", atLoad: "from-config" });
  });

  test("unknown keys are warned about once, naming them", () => {
    const warnings = fx.logs.filter((l) => l.level === "warn" && l.message.includes("unknown option"));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /"someUnknownOption", "anotherUnknownOption"/);
  });
});

describe("next.config options a migrated config carries", () => {
  test("options route handlers never see pass quietly; webpack/turbopack get a warning of their own", async () => {
    const project = tempProject({
      "next.config.mjs": `export default {
  logging: { fetches: { fullUrl: true } },
  transpilePackages: ["some-ui"],
  devIndicators: false,
  outputFileTracingRoot: "/",
  webpack: (config) => config,
  turbopack: { resolveAlias: {} },
  madeUpOption: 1,
};
`,
      "app/ok/route.ts": `export function GET() { return new Response("ok"); }\n`,
    });
    const server = await startFixture("config-migrated", { root: project.root });
    try {
      assert.equal(await (await fetch(`${server.url}/ok`)).text(), "ok");
      const warnings = server.logs.filter((l) => l.level === "warn").map((l) => l.message);
      assert.deepEqual(
        warnings.filter((m) => m.includes("unknown option")),
        ['next.config: ignoring unknown option "madeUpOption".'],
      );
      const bundler = warnings.filter((m) => m.includes("is not applied"));
      assert.equal(bundler.length, 1);
      assert.match(
        bundler[0]!,
        /"webpack" and "turbopack" configuration is not applied: approute compiles with esbuild/,
      );
    } finally {
      await server.close();
      project.dispose();
    }
  });
});

describe("skipTrailingSlashRedirect", () => {
  test("no redirect to the slash form; routes, params and public files match either spelling; the handler and proxy see it as sent", async () => {
    // The table next build && next start 16.4.6 answered for the same project.
    const project = tempProject({
      "next.config.mjs": "export default { skipTrailingSlashRedirect: true };\n",
      "app/api/x/route.ts": `export function GET(r: any) { return Response.json({ url: new URL(r.url).pathname, next: r.nextUrl.pathname }); }\n`,
      "app/api/y/[id]/route.ts": `export async function GET(r: Request, c: any) { return Response.json({ url: new URL(r.url).pathname, p: await c.params }); }\n`,
      "proxy.ts": `import { NextResponse, type NextRequest } from "next/server";
export function proxy(r: NextRequest) { const res = NextResponse.next(); res.headers.set("x-proxy-saw", r.nextUrl.pathname); return res; }
`,
      "public/robots.txt": "robots",
    });
    const server = await startFixture("skip-slash", { root: project.root });
    try {
      const seen = async (path: string) => {
        const res = await rawGet(`${server.url}${path}`);
        return {
          status: res.status,
          proxy: res.headers["x-proxy-saw"],
          location: res.headers.location,
          body: res.body.toString(),
        };
      };
      assert.deepEqual(await seen("/api/x/"), {
        status: 200,
        proxy: "/api/x/",
        location: undefined,
        body: JSON.stringify({ url: "/api/x/", next: "/api/x/" }),
      });
      assert.deepEqual(await seen("/api/y/1/"), {
        status: 200,
        proxy: "/api/y/1/",
        location: undefined,
        body: JSON.stringify({ url: "/api/y/1/", p: { id: "1" } }),
      });
      assert.equal((await seen("/api/x")).status, 200);
      const doubled = await seen("/api/x//");
      assert.equal(doubled.status, 308, "repeated slashes are still normalised");
      assert.equal(doubled.location, "/api/x/");
      assert.equal((await seen("/robots.txt/")).body, "robots");
    } finally {
      await server.close();
      project.dispose();
    }
  });
});

describe("compress (gzip as next start)", () => {
  test("a compressible body is gzipped when the client accepts it", async () => {
    const res = await rawGet(`${fx.url}/api/big`, { "accept-encoding": "gzip, deflate, br" });
    assert.equal(res.headers["content-encoding"], "gzip");
    assert.equal(res.headers.vary, "Accept-Encoding");
    assert.equal(Number(res.headers["content-length"]), res.body.byteLength);
    const json = JSON.parse(gunzipSync(res.body).toString());
    assert.equal(json.length, 2000);
  });

  test("no Accept-Encoding → identity, still Vary", async () => {
    const res = await rawGet(`${fx.url}/api/big`);
    assert.equal(res.headers["content-encoding"], undefined);
    assert.equal(res.headers.vary, "Accept-Encoding");
    assert.equal(JSON.parse(res.body.toString()).length, 2000);
  });

  test("gzip;q=0 is a refusal", async () => {
    const res = await rawGet(`${fx.url}/api/big`, { "accept-encoding": "gzip;q=0, identity" });
    assert.equal(res.headers["content-encoding"], undefined);
  });

  test("a handler's Vary is kept and extended", async () => {
    const res = await rawGet(`${fx.url}/api/hello`, { "accept-encoding": "gzip" });
    assert.equal(res.headers.vary, "accept, Accept-Encoding");
  });

  test("streams are gzipped incrementally and decode to the same bytes", async () => {
    const res = await rawGet(`${fx.url}/api/big?kind=stream`, { "accept-encoding": "gzip" });
    assert.equal(res.headers["content-encoding"], "gzip");
    assert.equal(res.headers["transfer-encoding"], "chunked");
    assert.equal(gunzipSync(res.body).toString().split("\n").filter(Boolean).length, 500);
  });

  test("never for text/event-stream (R140), already-encoded bodies, binary types, tiny bodies, no-transform", async () => {
    const sse = await rawGet(`${fx.url}/api/sse`, { "accept-encoding": "gzip" });
    assert.equal(sse.headers["content-encoding"], undefined);
    assert.match(sse.body.toString(), /^data: 0 /);

    const encoded = await rawGet(`${fx.url}/api/encoded`, { "accept-encoding": "gzip" });
    assert.equal(encoded.headers["content-encoding"], "gzip");
    assert.equal(gunzipSync(encoded.body).toString(), "already encoded ".repeat(200), "not double-encoded");

    const bytes = await rawGet(`${fx.url}/api/big?kind=bytes`, { "accept-encoding": "gzip" });
    assert.equal(bytes.headers["content-encoding"], undefined);
    assert.equal(bytes.body.byteLength, 4096);

    const small = await rawGet(`${fx.url}/api/small`, { "accept-encoding": "gzip" });
    assert.equal(small.headers["content-encoding"], undefined);
    assert.equal(small.body.toString(), '{"small":true}');

    const noTransform = await rawGet(`${fx.url}/api/big?kind=no-transform`, { "accept-encoding": "gzip" });
    assert.equal(noTransform.headers["content-encoding"], undefined);
  });

  test("HEAD gets the headers without a body and without an encoding", async () => {
    const res = await rawGet(`${fx.url}/api/big`, { "accept-encoding": "gzip" }, "HEAD");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-encoding"], undefined);
    assert.equal(res.body.byteLength, 0);
  });

  test("compress: false turns it off", async () => {
    const off = await startFixture("config-nocompress");
    try {
      const res = await rawGet(`${off.url}/api/big`, { "accept-encoding": "gzip" });
      assert.equal(res.headers["content-encoding"], undefined);
      assert.equal(res.headers.vary, undefined);
      assert.equal(JSON.parse(res.body.toString()).length, 2000);
    } finally {
      await off.close();
    }
  });
});

test("R149/R150 destinations may use what the source or a has condition captures", () => {
  // As next build accepts them: source params, a has key without value, a named group in a has
  // value, `host` for a host value; the query and external URLs are not checked.
  const app = createApp({
    routes: [],
    config: {
      redirects: [
        { source: "/a/:slug", destination: "/b/:slug", permanent: false },
        {
          source: "/c",
          has: [{ type: "query", key: "page" }],
          destination: "/d/:page",
          permanent: false,
        },
      ],
      rewrites: [
        {
          source: "/e",
          has: [
            { type: "header", key: "x-tenant", value: "(?<tenant>[a-z]+)" },
            { type: "host", value: "(?<sub>[a-z]+)\\.example\\.com" },
          ],
          destination: "/t/:tenant/:sub/:host",
        },
        { source: "/f", destination: "/g?from=:anything" },
        { source: "/h/:p*", destination: "https://upstream.example/:other" },
      ],
    },
  });
  assert.ok(app);
});

describe("invalid values fail at start, naming the key", () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["compress", { compress: "yes" }, /"compress"/],
    ["env", { env: { A: 1 } }, /"env\.A"/],
    ["basePath", { basePath: "docs" }, /"basePath"/],
    ["headers", { headers: [{ source: "api", headers: [] }] }, /must be a string starting with "\/"/],
    ["redirects", { redirects: [{ source: "/a", destination: "/b" }] }, /"redirects\[0\]\.permanent"/],
    [
      "redirects statusCode",
      { redirects: [{ source: "/a", destination: "/b", statusCode: 200 }] },
      /statusCode/,
    ],
    ["rewrites", { rewrites: [{ source: "/a" }] }, /"rewrites\.afterFiles\[0\]\.destination"/],
    [
      "rewrites host capture",
      { rewrites: [{ source: "/p/:sub", destination: "https://:sub.example.com/x" }] },
      /puts a parameter into the host/,
    ],
    [
      "R146/R150 internal rewrite with basePath: false",
      { basePath: "/docs", rewrites: [{ source: "/a", destination: "/docs/b", basePath: false }] },
      /"rewrites\.afterFiles\[0\]\.basePath".*would be outside basePath/,
    ],
    [
      "R149 redirect destination param nothing captures",
      { redirects: [{ source: "/old/:slug", destination: "/new/:id", permanent: true }] },
      /"redirects\[0\]\.destination".*:id, which neither its source/,
    ],
    [
      "R150 rewrite destination using an unnamed group",
      { rewrites: [{ source: "/n/(\\d+)", destination: "/items/:0" }] },
      /unnamed group :0/,
    ],
    ["unresolved function", { headers: async () => [] }, /"headers".*not resolved/],
    ["R153 experimental.dynamicIO", { experimental: { dynamicIO: true } }, /replaced by `cacheComponents`/],
    ["R153 experimental.ppr", { experimental: { ppr: true } }, /merged into `cacheComponents`/],
  ];
  for (const [name, config, message] of cases) {
    test(name, () => {
      assert.throws(
        () => createApp({ routes: [], config }),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, ErrorCode.INVALID_CONFIG);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

// tests/fixtures/config-options, checked against `next build && next start` (16.4.6) with the same
// next.config and routes.
describe("trailingSlash, expireTime and options that only matter to Next (R12, R147, R154–R157)", () => {
  let opts: FixtureServer;
  before(async () => {
    opts = await startFixture("config-options");
  });
  after(() => opts.close());
  const at = (path: string, init: RequestInit = {}) =>
    fetch(opts.url + path, { redirect: "manual", ...init });

  test("R12, R147: trailingSlash: true redirects /p to /p/ with 308, a relative Location and the query", async () => {
    const res = await at("/api/hello?q=1");
    assert.equal(res.status, 308);
    assert.equal(res.headers.get("location"), "/api/hello/?q=1");
    assert.equal(res.headers.get("refresh"), "0;url=/api/hello/?q=1");
    assert.equal(await res.text(), "/api/hello/?q=1");
    const post = await at("/api/hello", { method: "POST", body: "x" });
    assert.equal(post.status, 308, "every method is redirected; the handler does not run");
    assert.equal(post.headers.get("location"), "/api/hello/");
    // R13: the // redirect is one hop, as in next start; the slash is added by the next one.
    const collapsed = await at("/api//hello");
    assert.equal(collapsed.status, 308);
    assert.equal(collapsed.headers.get("location"), "/api/hello");
  });

  test("R12, R147: the handler is reached at /p/ and sees the slash in request.url", async () => {
    const res = await at("/api/hello/?q=1");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(new URL(body.url).pathname, "/api/hello/");
    assert.equal(new URL(body.url).search, "?q=1");
    assert.equal(body.pathname, "/api/hello/");
    const post = await at("/api/hello/", { method: "POST", body: "x" });
    assert.deepEqual(await post.json(), { method: "POST", body: "x" });
    assert.equal(await (await at("/")).text(), "root");
  });

  test("R12: a last segment with an extension gets no slash; with one it is redirected to the file", async () => {
    const file = await at("/api/data.json");
    assert.equal(file.status, 200);
    assert.deepEqual(await file.json(), { file: "data.json" });
    const slashed = await at("/api/data.json/");
    assert.equal(slashed.status, 308);
    assert.equal(slashed.headers.get("location"), "/api/data.json");
  });

  test("R154: expireTime sets the stale-while-revalidate window of revalidated GETs", async () => {
    const res = await at("/api/isr/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-nextjs-cache"), "HIT");
    assert.equal(res.headers.get("cache-control"), "s-maxage=60, stale-while-revalidate=3540");
  });

  test("R157: generateEtags and poweredByHeader add no ETag or X-Powered-By to route handler responses", async () => {
    for (const [path, init] of [
      ["/api/hello/", {}],
      ["/api/hello/", { method: "POST", body: "x" }],
      ["/api/isr/", {}],
      ["/api/hello", {}],
    ] as const) {
      const res = await at(path, init);
      assert.equal(res.headers.get("etag"), null, `${path}: no etag`);
      assert.equal(res.headers.get("x-powered-by"), null, `${path}: no x-powered-by`);
      await res.arrayBuffer();
    }
  });

  test("R155, R156: serverExternalPackages, skipProxyUrlNormalize, staleTimes are accepted without a warning", () => {
    assert.deepEqual(
      opts.logs.filter((l) => l.level !== "info"),
      [],
    );
  });
});

describe("options Next 16 moved or deprecated (R151–R153)", () => {
  test("experimental.useCache, experimental.cacheLife and experimental.cacheHandlers warn, naming the new key", () => {
    const warnings: string[] = [];
    createApp({
      routes: [],
      config: { experimental: { useCache: true, cacheLife: {}, cacheHandlers: {} } },
      logger: { error() {}, info() {}, warn: (message: string) => warnings.push(message) },
    });
    assert.equal(warnings.length, 3, warnings.join("\n"));
    assert.match(warnings[0]!, /`experimental\.useCache` is deprecated; use the top-level `cacheComponents`/);
    assert.match(warnings[1]!, /`experimental\.cacheLife` has moved to the top-level `cacheLife`/);
    assert.match(warnings[2]!, /`experimental\.cacheHandlers` has moved to the top-level `cacheHandlers`/);
  });

  test("R156: i18n is accepted with Next's warning that the App Router does not support it", () => {
    const warnings: string[] = [];
    createApp({
      routes: [],
      config: { i18n: { locales: ["en", "de"], defaultLocale: "en" } },
      logger: { error() {}, info() {}, warn: (message: string) => warnings.push(message) },
    });
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(warnings[0]!, /`i18n` is not supported in the App Router/);
  });
});
