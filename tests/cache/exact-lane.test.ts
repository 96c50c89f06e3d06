// The Node listener answers a fresh cached GET whose target is exactly a param-less route's path
// straight from the route cache (#6). Speed never changes behaviour: every case here asks twice, so
// the second request is one the shortcut could take, and each answer must be the full pipeline's —
// next.config rules, a proxy, basePath and trailingSlash keep their say, an exported HEAD keeps
// answering HEAD, an aged entry goes STALE (R76) and draft mode still bypasses the cache (R69).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { skewedClock, type TempProject, tempProject } from "../helpers/project.ts";
import { rawRequest, simple } from "../helpers/raw.ts";

const COUNTER = `export const revalidate = 60;
let n = 0;
export function GET() {
  n += 1;
  return Response.json({ render: n });
}
`;

async function twice(url: string, init?: RequestInit): Promise<[Response, Response]> {
  const first = await fetch(url, init);
  await first.arrayBuffer();
  const second = await fetch(url, init);
  return [first, second];
}

describe("exact-path lane: same answers as the full pipeline (#6)", () => {
  let clock = 0;
  const project = tempProject({
    "app/counter/route.ts": COUNTER,
    "app/(group)/grouped/route.ts": `export const dynamic = "force-static";
export function GET() { return new Response("grouped"); }
`,
    "app/café/route.ts": `export const dynamic = "force-static";
export function GET() { return new Response("coffee"); }
`,
    "app/own-head/route.ts": `export const dynamic = "force-static";
export function GET() { return new Response("from GET", { headers: { "x-from": "GET" } }); }
export function HEAD() { return new Response(null, { headers: { "x-from": "HEAD" } }); }
`,
  });
  let server: FixtureServer;
  before(async () => {
    server = await startFixture("exact-lane", {
      root: project.root,
      overrides: { now: skewedClock(() => clock) },
    });
  });
  after(async () => {
    await server?.close();
    project.dispose();
  });

  test("R73: a repeated GET is a HIT with the same body and headers", async () => {
    const [first, second] = await twice(`${server.url}/counter`);
    const body = await second.json();
    assert.equal(second.status, 200);
    assert.equal(second.headers.get("x-nextjs-cache"), "HIT");
    assert.equal(second.headers.get("content-type"), first.headers.get("content-type"));
    assert.deepEqual(body, { render: 1 });
  });

  test("R73: a query, a route group and a percent-encoded path reach the same entries", async () => {
    const query = await fetch(`${server.url}/counter?x=1`);
    assert.deepEqual(await query.json(), { render: 1 });
    const [, grouped] = await twice(`${server.url}/grouped`);
    assert.equal(await grouped.text(), "grouped");
    const [, coffee] = await twice(`${server.url}/caf%C3%A9`);
    assert.equal(coffee.status, 200);
    assert.equal(await coffee.text(), "coffee");
  });

  test("R16: targets the pipeline normalises are not taken for the exact path", async () => {
    const expected: Record<string, number> = {
      "/Counter": 404,
      "/counter/": 308,
      "//counter": 308,
      "/x/../counter": 200,
    };
    for (const [target, status] of Object.entries(expected)) {
      for (let i = 0; i < 2; i++) {
        const response = await rawRequest(server.url, simple("GET", target));
        assert.equal(response.status, status, target);
      }
    }
  });

  test("R21: a route that exports HEAD answers HEAD with it, before and after a GET", async () => {
    const head = await fetch(`${server.url}/own-head`, { method: "HEAD" });
    assert.equal(head.headers.get("x-from"), "HEAD");
    const get = await fetch(`${server.url}/own-head`);
    assert.equal(await get.text(), "from GET");
    const [, again] = await twice(`${server.url}/own-head`, { method: "HEAD" });
    assert.equal(again.headers.get("x-from"), "HEAD");
  });

  test("R76: an entry past its revalidate time is served STALE once, then regenerated", async () => {
    const warm = await fetch(`${server.url}/counter`);
    const before = (await warm.json()) as { render: number };
    clock += 61_000;
    const stale = await fetch(`${server.url}/counter`);
    assert.equal(stale.headers.get("x-nextjs-cache"), "STALE");
    assert.deepEqual(await stale.json(), before);
    // The regeneration runs in the background: ask until the new entry is served.
    let next: { render: number } = before;
    while (next.render === before.render) {
      const response = await fetch(`${server.url}/counter`);
      next = (await response.json()) as { render: number };
    }
    assert.equal(next.render, before.render + 1);
  });

  test("R68, R69: other cookies are ignored; a stale draft cookie is still expired", async () => {
    const [, plain] = await twice(`${server.url}/counter`, {
      headers: { cookie: "session=abc; theme=dark" },
    });
    assert.equal(plain.headers.get("x-nextjs-cache"), "HIT");
    assert.equal(plain.headers.get("set-cookie"), null);
    for (const cookie of ["__prerender_bypass=0123", "a=1; __next_preview_data=x"]) {
      const [, stale] = await twice(`${server.url}/counter`, { headers: { cookie } });
      assert.equal(stale.status, 200, cookie);
      assert.match(
        stale.headers.get("set-cookie") ?? "",
        /^__prerender_bypass=; Path=\/; Expires=Thu, 01 Jan 1970/,
        cookie,
      );
    }
  });

  test("R73, R69: the Web entry (app.fetch) takes the same shortcut with the same answers", async () => {
    const get = () => server.app.fetch(new Request("http://localhost/grouped"));
    await (await get()).arrayBuffer();
    const again = await get();
    assert.ok(again instanceof Response, "a real Response for hosts that brand-check it");
    assert.equal(again.headers.get("x-nextjs-cache"), "HIT");
    assert.equal(await again.text(), "grouped");
    const head = await server.app.fetch(new Request("http://localhost/grouped", { method: "HEAD" }));
    assert.equal(head.body, null);
    assert.equal(head.headers.get("x-nextjs-cache"), "HIT");
    const ownHead = await server.app.fetch(new Request("http://localhost/own-head", { method: "HEAD" }));
    assert.equal(ownHead.headers.get("x-from"), "HEAD");
    const { previewId } = JSON.parse(readFileSync(join(server.outDir, "manifest.json"), "utf8"));
    const draft = await server.app.fetch(
      new Request("http://localhost/grouped", { headers: { cookie: `__prerender_bypass=${previewId}` } }),
    );
    assert.equal(draft.headers.get("x-nextjs-cache"), null);
    assert.match(draft.headers.get("cache-control") ?? "", /no-store/);
  });

  test("R69: the draft-mode cookie still bypasses the cache", async () => {
    const { previewId } = JSON.parse(readFileSync(join(server.outDir, "manifest.json"), "utf8"));
    assert.match(previewId, /^[0-9a-f]{32}$/);
    const draft = await fetch(`${server.url}/counter`, {
      headers: { cookie: `__prerender_bypass=${previewId}` },
    });
    assert.equal(
      draft.headers.get("cache-control"),
      "private, no-cache, no-store, max-age=0, must-revalidate",
    );
    assert.equal(draft.headers.get("x-nextjs-cache"), null);
  });
});

describe("exact-path lane: rules, proxy, basePath and trailingSlash keep their say (#6)", () => {
  const ROUTE = `export const dynamic = "force-static";
export function GET() { return new Response("static"); }
`;
  const cases: Array<{
    name: string;
    files: Record<string, string>;
    target: string;
    check: (response: Response) => Promise<void> | void;
  }> = [
    {
      name: "R146: next.config headers()",
      files: {
        "next.config.mjs": `export default { async headers() { return [{ source: "/static", headers: [{ key: "x-rule", value: "yes" }] }]; } };`,
      },
      target: "/static",
      check: (r) => assert.equal(r.headers.get("x-rule"), "yes"),
    },
    {
      name: "R126: proxy.ts",
      files: {
        "proxy.ts": `import { NextResponse } from "next/server";
export function proxy() { const r = NextResponse.next(); r.headers.set("x-proxy", "yes"); return r; }
`,
      },
      target: "/static",
      check: (r) => assert.equal(r.headers.get("x-proxy"), "yes"),
    },
    {
      name: "R146: basePath (the bare path is outside it)",
      files: { "next.config.mjs": `export default { basePath: "/base" };` },
      target: "/static",
      check: (r) => assert.equal(r.status, 404),
    },
    {
      name: "R146: basePath (inside it)",
      files: { "next.config.mjs": `export default { basePath: "/base" };` },
      target: "/base/static",
      check: async (r) => assert.equal(await r.text(), "static"),
    },
    {
      name: "R14: trailingSlash redirects the bare path",
      files: { "next.config.mjs": `export default { trailingSlash: true };` },
      target: "/static",
      check: (r) => {
        assert.equal(r.status, 308);
        assert.equal(r.headers.get("location"), "/static/");
      },
    },
  ];
  const running: Array<{ server: FixtureServer; project: TempProject }> = [];
  after(async () => {
    for (const { server, project } of running) {
      await server.close();
      project.dispose();
    }
  });
  for (const c of cases) {
    test(c.name, async () => {
      const project = tempProject({ "app/static/route.ts": ROUTE, ...c.files });
      const server = await startFixture("exact-lane", { root: project.root });
      running.push({ server, project });
      // Warm the entry through the route's own URL, so a wrongly taken shortcut would have one.
      await (await fetch(`${server.url}/base/static/`)).arrayBuffer();
      await (await fetch(`${server.url}/static/`)).arrayBuffer();
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${server.url}${c.target}`, { redirect: "manual" });
        await c.check(response);
      }
    });
  }
});

// A Cookie header that holds a draft-mode cookie's name anywhere (here in a value the app ignores)
// sends a request down the full pipeline, with the same answer as without it. So each request is
// sent twice — as drawn, then with that cookie added — which compares the shortcut with the full
// pipeline for every spelling of a target, method, cookie and framing fast-check comes up with
// (fixed seed; FUZZ_SEED overrides).
describe("exact-path lane: any request answers as the full pipeline does (#6)", () => {
  const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
  const project = tempProject({
    "app/counter/route.ts": COUNTER,
    "app/(group)/grouped/route.ts": `export const dynamic = "force-static";
export function GET() { return Response.json({ grouped: true }); }
`,
    "app/café/route.ts": `export const dynamic = "force-static";
export function GET() { return new Response("coffee"); }
`,
    "app/own-head/route.ts": `export const dynamic = "force-static";
export function GET() { return new Response("from GET"); }
export function HEAD() { return new Response(null, { headers: { "x-from": "HEAD" } }); }
`,
    "app/dynamic/route.ts": `export function GET(request: Request) { return Response.json({ url: request.url }); }
`,
  });
  let server: FixtureServer;
  before(async () => {
    server = await startFixture("exact-lane-fuzz", { root: project.root });
    // First requests through the pipeline: each cached route then has what the shortcut reads.
    for (const path of ["/counter", "/grouped", "/caf%C3%A9", "/own-head"])
      await (await fetch(`${server.url}${path}`, { headers: { cookie: "warm=1" } })).arrayBuffer();
  });
  after(async () => {
    await server?.close();
    project.dispose();
  });

  // Half the time each part is the plain one, so exact paths (the shortcut's) come up often.
  const mostly = <T>(plain: T, ...others: T[]) =>
    fc.oneof({ arbitrary: fc.constant(plain), weight: others.length }, fc.constantFrom(...others));
  const target = fc
    .tuple(
      mostly("/", "//", "/./", "/x/../", "/%2E/", "/counter/../"),
      fc.constantFrom(
        "counter",
        "grouped",
        "caf%C3%A9",
        "own-head",
        "Counter",
        "c%6Funter",
        "(group)/grouped",
        "caf%c3%a9",
        "café",
        "dynamic",
        "missing",
        "counter%2F",
        "counter;x",
      ),
      mostly("", "?", "?a=1", "#f", "/", "/.", "/..", "%20", "?a=1&a=2"),
      mostly("origin", "absolute", "absolute-https"),
    )
    .map(([prefix, name, suffix, form]) => {
      const path = `${prefix}${name}${suffix}`;
      if (form === "origin") return path;
      return `${form === "absolute" ? "http" : "https"}://localhost${path}`;
    });
  const request = fc.record({
    method: fc.constantFrom("GET", "HEAD", "GET", "HEAD", "POST", "OPTIONS", "DELETE"),
    target,
    extra: mostly(
      "",
      "Content-Length: 0\r\n",
      "Accept-Encoding: gzip\r\n",
      "X-Forwarded-Proto: https\r\n",
      "Host: example.com\r\n",
      "If-None-Match: *\r\n",
      "Cookie: session=abc; theme=dark\r\n",
      "Cookie: a=1\r\nCookie: b=2\r\n",
    ),
  });

  test("R14, R16, R21, R73: the shortcut's answer is the pipeline's, header for header", async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ method, target, extra }) => {
        const host = extra.startsWith("Host:") ? "" : "Host: localhost\r\n";
        const head = `${method} ${target} HTTP/1.1\r\n${host}${extra}Connection: close\r\n`;
        const options = { head: method === "HEAD" };
        const plain = await rawRequest(server.url, `${head}\r\n`, options);
        const control = `${head}Cookie: note=__prerender_bypass\r\n\r\n`;
        const withCookie = await rawRequest(server.url, control, options);
        const strip = (r: typeof plain) => {
          const { date: _date, ...headers } = r.headers;
          return { status: r.status, headers, body: r.body };
        };
        assert.deepEqual(strip(plain), strip(withCookie), `${method} ${target} ${JSON.stringify(extra)}`);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
