// next.config `cacheHandler` (singular, R121): a handler class written for Next receives ISR route
// responses (kind APP_ROUTE) and fetch entries (kind FETCH) with Next's keys, values and context
// objects, answers approute's reads, and hears revalidateTag.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isApprouteError } from "approute";
import { loadIncrementalCacheHandler } from "approute/app";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

interface Call {
  method: string;
  key?: string;
  ctx?: Record<string, unknown>;
  data?: Record<string, any>;
  options?: Record<string, unknown>;
  tags?: unknown;
  durations?: unknown;
}

/** The key next start 16.4.6 gives the response of route `/api/isr` (checked against it). */
const ISR_KEY = `/route-cache/APP_ROUTE/${createHash("sha256").update("/api/isr/route").digest("hex")}/$/api/isr`;

const calls = (): Call[] =>
  (globalThis as { __fetchCacheHandlerCalls?: Call[] }).__fetchCacheHandlerCalls ?? [];

describe("singular cacheHandler", () => {
  let server: FixtureServer;
  let upstream: Upstream;
  before(async () => {
    upstream = await startUpstream();
    process.env.FETCH_CACHE_UPSTREAM = upstream.url;
    server = await startFixture("fetch-cache-handler");
  });
  after(async () => {
    await server?.close();
    await upstream?.close();
  });

  test("the class is constructed with Next's context object", () => {
    const constructed = calls().find((c) => c.method === "constructor");
    assert.ok(constructed, "constructed at start");
    assert.equal(constructed.options?.dev, false);
    assert.equal(constructed.options?.flushToDisk, false);
    assert.deepEqual(constructed.options?.revalidatedTags, []);
    assert.equal(constructed.options?.maxMemoryCacheSize, 50 * 1024 * 1024);
  });

  test("ISR responses are stored as kind APP_ROUTE under Next's route-cache key and read back", async () => {
    const first = await fetch(`${server.url}/api/isr`);
    assert.equal(first.status, 200);
    const body = await first.json();
    const set = calls().find((c) => c.method === "set" && c.key === ISR_KEY);
    assert.ok(set, `set("${ISR_KEY}", …) was called`);
    assert.equal(set.data?.kind, "APP_ROUTE");
    assert.equal(set.data?.status, 200);
    assert.equal(set.data?.headers["content-type"], "application/json");
    assert.deepEqual(JSON.parse(Buffer.from(set.data?.body).toString()), body);
    assert.deepEqual(set.ctx, {
      kind: "APP_ROUTE",
      isRoutePPREnabled: false,
      isFallback: false,
      cacheControl: { revalidate: 60, expire: 31536000 },
    });
    const second = await fetch(`${server.url}/api/isr`);
    assert.equal(second.headers.get("x-nextjs-cache"), "HIT");
    assert.deepEqual(await second.json(), body);
    const get = calls().findLast((c) => c.method === "get" && c.key === ISR_KEY);
    assert.deepEqual(get?.ctx, { kind: "APP_ROUTE", isRoutePPREnabled: false, isFallback: false });
    assert.ok(calls().some((c) => c.method === "resetRequestCache"));
  });

  test("fetch entries are stored as kind FETCH and served from the handler", async () => {
    const a = await (await fetch(`${server.url}/api/data`)).json();
    assert.deepEqual(a, { path: "/data", n: 1, method: "GET", body: "" });
    const set = calls().find((c) => c.method === "set" && c.data?.kind === "FETCH");
    assert.ok(set, "a FETCH entry was set");
    assert.match(set.key!, /^[0-9a-f]{64}$/);
    assert.equal(set.data?.revalidate, 31536000);
    assert.equal(set.data?.data.status, 200);
    assert.equal(set.data?.data.url, `${upstream.url}/data`);
    assert.equal(set.data?.data.headers["x-up"], "1");
    assert.deepEqual(JSON.parse(Buffer.from(set.data?.data.body, "base64").toString()), a);
    assert.deepEqual(set.ctx, {
      fetchCache: true,
      fetchUrl: `${upstream.url}/data`,
      fetchIdx: 1,
      tags: ["data"],
      isImplicitBuildTimeCache: false,
    });
    const b = await (await fetch(`${server.url}/api/data`)).json();
    assert.deepEqual(b, a);
    assert.equal(upstream.count("/data"), 1, "the second call was answered by the handler");
    const get = calls().findLast((c) => c.method === "get" && c.key === set.key);
    assert.equal(get?.ctx?.kind, "FETCH");
    assert.deepEqual(get?.ctx?.tags, ["data"]);
    assert.equal(get?.ctx?.fetchUrl, `${upstream.url}/data`);
    assert.ok(Array.isArray(get?.ctx?.softTags) && (get.ctx.softTags as string[]).includes("_N_T_/api/data"));
  });

  test("revalidateTag reaches the handler, and the next read fetches again", async () => {
    const res = await fetch(`${server.url}/api/invalidate`, {
      method: "POST",
      body: JSON.stringify({ tag: "data" }),
    });
    assert.equal(res.status, 200);
    const call = calls().findLast((c) => c.method === "revalidateTag");
    assert.deepEqual(call?.tags, ["data"]);
    assert.deepEqual(call?.durations, { expire: 31536000 }, 'the "max" profile\'s expire, as Next passes it');
    const after = await (await fetch(`${server.url}/api/data`)).json();
    assert.equal(after.n, 2);
    assert.equal(upstream.count("/data"), 2);
  });

  test("revalidatePath reaches the handler with the path's tag and no durations; the route renders again", async () => {
    const before = (await (await fetch(`${server.url}/api/isr`)).json()) as { renders: number };
    const res = await fetch(`${server.url}/api/invalidate`, {
      method: "POST",
      body: JSON.stringify({ path: "/api/isr" }),
    });
    assert.equal(res.status, 200);
    const call = calls().findLast((c) => c.method === "revalidateTag");
    assert.deepEqual(call?.tags, ["_N_T_/api/isr"]);
    assert.equal(call?.durations, undefined);
    const after = await fetch(`${server.url}/api/isr`);
    assert.equal(after.headers.get("x-nextjs-cache"), "MISS");
    assert.equal(((await after.json()) as { renders: number }).renders, before.renders + 1);
  });
});

test("a cacheHandler that cannot be used fails the start with APR_INVALID_CONFIG naming it", async () => {
  const root = mkdtempSync(join(tmpdir(), "approute-handler-"));
  try {
    writeFileSync(join(root, "object.mjs"), "export default { get() {} };\n");
    writeFileSync(join(root, "partial.mjs"), "export default class { async get() {} };\n");
    for (const [path, pattern] of [
      ["./missing.mjs", /cacheHandler: cannot load "\.\/missing\.mjs"/],
      ["./object.mjs", /cacheHandler \("\.\/object\.mjs"\): the default export is not a class/],
      ["./partial.mjs", /instances do not implement set, revalidateTag/],
      [42, /Invalid next\.config option "cacheHandler": expected a module path string/],
    ] as const) {
      await assert.rejects(
        loadIncrementalCacheHandler({ cacheHandler: path }, root),
        (error) =>
          isApprouteError(error) && error.code === "APR_INVALID_CONFIG" && pattern.test(error.message),
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
