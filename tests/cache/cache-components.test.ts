// R90, R116: which GETs a `cacheComponents: true` build prerenders, matched against real Next 16.4.6.
//
// Observed with `next build && next start` (16.4.6) on the same route bodies as
// tests/fixtures/cache-components, two requests each:
//
//   static — `x-nextjs-cache: HIT`, the same body every time, cache-control from the cache life:
//     constant, pathname (nextUrl.pathname), microtask (awaits only microtasks) → s-maxage=31536000
//     use-cache ("use cache" helper, default profile)   → s-maxage=900, stale-while-revalidate=31535100
//     use-cache-io (timer inside "use cache")            → same as use-cache
//     minutes (cacheLife("minutes"))                     → s-maxage=60, stale-while-revalidate=3540
//     expire-300 ({ revalidate: 60, expire: 300 })       → s-maxage=60, stale-while-revalidate=240
//     nested-outer-hours (inner "seconds", outer explicit "hours") → s-maxage=3600, stale-while-revalidate=82800
//     fetch-force-cache (fetch with cache: "force-cache")  → s-maxage=31536000
//     fetch-revalidate (fetch with next: { revalidate: 600 }) → s-maxage=600, stale-while-revalidate=31535400
//   dynamic — no x-nextjs-cache and no cache-control; runs per request:
//     now, new-date, random, uuid (time/randomness outside "use cache", no connection() needed),
//     timeout, immediate, fetch, db (a constant body after a timer / setImmediate / uncached fetch /
//     a promise resolved in a later task), use-cache-then-now, connection,
//     seconds, expire-299, revalidate-0, nested-outer-seconds (a cache that expires within 5 minutes
//     or has revalidate 0; the helper's value is still cached at run time).
//   Dynamic segments: q/[id] (no generateStaticParams, constant body) is dynamic and never cached;
//   gc/[id] with generateStaticParams [{ id: "a" }]: /gc/a HIT, /gc/b MISS then HIT
//   (s-maxage=31536000); g/[id] with generateStaticParams but Date.now(): dynamic for every id.
//   A nested short-lived "use cache" inside an outer one WITHOUT cacheLife fails `next build`
//   ("A nested `"use cache"` with a short `expire` … Add `cacheLife()` to the outer one");
//   approute makes that route dynamic instead (documented in the README).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";

// Captured before any build installs its probes.
const originals = { Date, now: Date.now, random: Math.random, uuid: crypto.randomUUID };

const STATIC: Record<string, string> = {
  "/constant": "s-maxage=31536000",
  "/pathname": "s-maxage=31536000",
  "/microtask": "s-maxage=31536000",
  "/use-cache": "s-maxage=900, stale-while-revalidate=31535100",
  "/use-cache-io": "s-maxage=900, stale-while-revalidate=31535100",
  "/minutes": "s-maxage=60, stale-while-revalidate=3540",
  "/expire-300": "s-maxage=60, stale-while-revalidate=240",
  "/nested-outer-hours": "s-maxage=3600, stale-while-revalidate=82800",
  "/fetch-force-cache": "s-maxage=31536000",
  "/fetch-revalidate": "s-maxage=600, stale-while-revalidate=31535400",
};

/** Dynamic routes and the reason the build records for each. */
const DYNAMIC: Record<string, RegExp> = {
  "/now": /calls `Date\.now\(\)` outside "use cache"/,
  "/new-date": /calls `new Date\(\)` outside "use cache"/,
  "/random": /calls `Math\.random\(\)` outside "use cache"/,
  "/uuid": /calls `crypto\.randomUUID\(\)` outside "use cache"/,
  "/node-uuid": /calls `require\('node:crypto'\)\.randomUUID\(\)` outside "use cache"/,
  "/timeout": /awaits I\/O that is not cached/,
  "/immediate": /awaits I\/O that is not cached/,
  "/fetch": /awaits I\/O that is not cached/,
  "/db": /awaits I\/O that is not cached/,
  "/use-cache-then-now": /calls `Date\.now\(\)`/,
  "/connection": /connection\(\)/,
  "/defer": /connection\(\)/,
  "/seconds": /expire 60 s; entries that expire within 300 s are not prerendered/,
  "/expire-299": /expire 299 s/,
  "/revalidate-0": /revalidate 0/,
  "/nested-outer-seconds": /expire 60 s/,
  "/nested-outer-default": /expire 60 s/,
};

describe("cacheComponents prerender parity (R90, R116)", () => {
  let fx: FixtureServer;
  let upstream: Server;
  let upstreamHits = 0;
  let manifest: { routes: Array<{ file: string; cache?: { mode: string; reason?: string } }> };

  before(async () => {
    upstream = createServer((_req, res) => {
      upstreamHits++;
      res.end(`upstream-${upstreamHits}`);
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    process.env.UPSTREAM_URL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    fx = await startFixture("cache-components");
    manifest = JSON.parse(readFileSync(join(fx.outDir, "manifest.json"), "utf8"));
  });
  after(async () => {
    await fx.close();
    upstream.close();
    delete process.env.UPSTREAM_URL;
  });

  function decided(path: string) {
    const file = `app${path}/route.ts`;
    const route = manifest.routes.find((r) => r.file === file);
    assert.ok(route, `${file} is in the manifest`);
    return route.cache;
  }

  for (const [path, cacheControl] of Object.entries(STATIC)) {
    test(`static: GET ${path} is prerendered and served as a HIT (${cacheControl})`, async () => {
      assert.equal(decided(path)?.mode, "static");
      const a = await fetch(fx.url + path);
      const b = await fetch(fx.url + path);
      assert.equal(a.headers.get("x-nextjs-cache"), "HIT");
      assert.equal(b.headers.get("x-nextjs-cache"), "HIT");
      assert.equal(a.headers.get("cache-control"), cacheControl);
      assert.equal(await a.text(), await b.text());
    });
  }

  for (const [path, reason] of Object.entries(DYNAMIC)) {
    test(`dynamic: GET ${path} runs per request`, async () => {
      const cache = decided(path);
      assert.equal(cache?.mode, "dynamic");
      assert.match(cache?.reason ?? "", reason);
      const res = await fetch(fx.url + path);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-nextjs-cache"), null);
      assert.equal(res.headers.get("cache-control"), null);
      await res.arrayBuffer();
    });
  }

  // Cache-Control of each profile as `next start` (16.4.6) sends it for the same route: revalidate,
  // then expire − revalidate; the default profile's "never" expire is capped at expireTime.
  const PROFILES: Record<string, string> = {
    default: "s-maxage=900, stale-while-revalidate=31535100",
    minutes: "s-maxage=60, stale-while-revalidate=3540",
    hours: "s-maxage=3600, stale-while-revalidate=82800",
    days: "s-maxage=86400, stale-while-revalidate=518400",
    weeks: "s-maxage=604800, stale-while-revalidate=1987200",
    max: "s-maxage=2592000, stale-while-revalidate=28944000",
    biweekly: "s-maxage=1209600, stale-while-revalidate=1382400",
  };
  test("R101, R151: built-in and next.config cacheLife profiles give Next's lifetimes", async () => {
    for (const [profile, cacheControl] of Object.entries(PROFILES)) {
      const res = await fetch(`${fx.url}/life/${profile}`);
      assert.deepEqual(await res.json(), { profile });
      assert.equal(res.headers.get("x-nextjs-cache"), "HIT", profile);
      assert.equal(res.headers.get("cache-control"), cacheControl, profile);
    }
  });

  test("R117: navigation() and prefetch() resolve in a route handler", async () => {
    assert.deepEqual(await (await fetch(`${fx.url}/defer`)).json(), { deferred: "resolved" });
  });

  test("dynamic bodies change per request; the uncached fetch reaches the upstream every time", async () => {
    for (const path of ["/random", "/uuid", "/node-uuid"]) {
      const a = await (await fetch(fx.url + path)).text();
      const b = await (await fetch(fx.url + path)).text();
      assert.notEqual(a, b, path);
    }
    const first = await (await fetch(`${fx.url}/fetch`)).json();
    const second = await (await fetch(`${fx.url}/fetch`)).json();
    assert.notEqual(first.upstream, second.upstream);
  });

  test("a short-lived helper still caches its value at run time (R116)", async () => {
    const a = await (await fetch(`${fx.url}/seconds`)).text();
    const b = await (await fetch(`${fx.url}/seconds`)).text();
    assert.equal(a, b);
  });

  test("dynamic segments: without generateStaticParams always per request; with it, listed paths prerendered and others cached on first request", async () => {
    assert.equal(decided("/q/[id]"), undefined, "not even a candidate");
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${fx.url}/q/a`);
      assert.equal(res.headers.get("x-nextjs-cache"), null);
      assert.deepEqual(await res.json(), { id: "a" });
    }
    assert.deepEqual(decided("/gc/[id]"), { mode: "static", paths: ["/gc/a"] });
    assert.equal((await fetch(`${fx.url}/gc/a`)).headers.get("x-nextjs-cache"), "HIT");
    assert.equal((await fetch(`${fx.url}/gc/b`)).headers.get("x-nextjs-cache"), "MISS");
    const again = await fetch(`${fx.url}/gc/b`);
    assert.equal(again.headers.get("x-nextjs-cache"), "HIT");
    assert.deepEqual(await again.json(), { id: "b" });
    assert.equal(decided("/g/[id]")?.mode, "dynamic");
    for (const path of ["/g/a", "/g/b"])
      assert.equal((await fetch(fx.url + path)).headers.get("x-nextjs-cache"), null, path);
  });

  test("R73: a file that also exports POST is not a prerender candidate", async () => {
    assert.equal(decided("/with-post"), undefined);
    const res = await fetch(`${fx.url}/with-post`);
    assert.equal(res.headers.get("x-nextjs-cache"), null);
  });

  test("the probes are gone after the build: Date and Math.random are the originals", () => {
    assert.equal(Date, originals.Date);
    assert.equal(Date.now, originals.now);
    assert.equal(Math.random, originals.random);
    assert.equal(crypto.randomUUID, originals.uuid);
  });
});

describe("cacheComponents prerender with a cache handler behind the network (R90, R119)", () => {
  test('a "use cache" GET is still prerendered when the handler answers in a later task', async () => {
    // The second prerender run replays the first run's "use cache" results from memory, so a
    // handler whose get() takes a round trip (Redis, a remote store) does not make the GET dynamic.
    const project = tempProject({
      "next.config.mjs":
        'export default { cacheComponents: true, cacheHandlers: { default: "./slow-handler.mjs" } };\n',
      "slow-handler.mjs": `const entries = new Map();
const later = () => new Promise((resolve) => setTimeout(resolve, 2));
export default {
  async get(key) {
    await later();
    const stored = entries.get(key);
    if (!stored) return undefined;
    const { bytes, ...meta } = stored;
    return { ...meta, value: new Blob([bytes]).stream() };
  },
  async set(key, pending) {
    const entry = await pending;
    const bytes = new Uint8Array(await new Response(entry.value).arrayBuffer());
    await later();
    const { value, ...meta } = entry;
    entries.set(key, { ...meta, bytes });
  },
  async refreshTags() {},
  async getExpiration() { return 0; },
  async updateTags() {},
};
`,
      "app/cached/route.ts": `async function load() {
  "use cache";
  return { at: Date.now() };
}
export async function GET() {
  return Response.json(await load());
}
`,
    });
    try {
      const fx = await startFixture("", { root: project.root });
      try {
        const manifest = JSON.parse(readFileSync(join(fx.outDir, "manifest.json"), "utf8"));
        assert.deepEqual(manifest.routes[0].cache, { mode: "static", paths: ["/cached"] });
        const res = await fetch(`${fx.url}/cached`);
        assert.equal(res.headers.get("x-nextjs-cache"), "HIT");
      } finally {
        await fx.close();
      }
    } finally {
      project.dispose();
    }
  });
});

describe("experimental.cacheLife, the Next 15 place (R151, R153)", () => {
  test("is still read, as Next 16 does, when the top-level cacheLife is unset", async () => {
    const project = tempProject({
      "next.config.mjs":
        "export default { cacheComponents: true, experimental: { cacheLife: { biweekly: { stale: 3600, revalidate: 1209600, expire: 2592000 } } } };\n",
      "app/cached/route.ts": `import { cacheLife } from "next/cache";
async function load() {
  "use cache";
  cacheLife("biweekly");
  return { ok: true };
}
export async function GET() {
  return Response.json(await load());
}
`,
    });
    try {
      const fx = await startFixture("", { root: project.root });
      try {
        const res = await fetch(`${fx.url}/cached`);
        assert.equal(res.headers.get("x-nextjs-cache"), "HIT");
        assert.equal(res.headers.get("cache-control"), "s-maxage=1209600, stale-while-revalidate=1382400");
        assert.ok(
          fx.logs.some((l) => l.level === "warn" && /experimental\.cacheLife` has moved/.test(l.message)),
        );
      } finally {
        await fx.close();
      }
    } finally {
      project.dispose();
    }
  });
});
