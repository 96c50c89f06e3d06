// The fetch data cache (#4 item 4; R78, R80, R85, R94, R112) through HTTP: fixture routes fetch a
// real upstream server started here, which counts its requests. Time moves through the app's
// injected clock; background refreshes are awaited by polling the observable change.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { skewedClock, until } from "../helpers/project.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

let clock = 0;
const now = skewedClock(() => clock);

let upstream: Upstream;
const count = (path: string) => upstream.count(path);

interface Relayed {
  status: number;
  up: string | null;
  body: { path: string; n: number; method: string; body: string };
}

describe("fetch data cache", () => {
  let server: FixtureServer;
  before(async () => {
    upstream = await startUpstream();
    process.env.FETCH_CACHE_UPSTREAM = upstream.url;
    server = await startFixture("fetch-cache", { overrides: { now } });
  });
  after(async () => {
    await server?.close();
    await upstream?.close();
  });

  async function get(path: string): Promise<{ res: Response; data: Relayed }> {
    const res = await fetch(server.url + path);
    assert.equal(res.status, 200, `${path} answered ${res.status}`);
    return { res, data: (await res.json()) as Relayed };
  }

  test("a fetch revalidate lowers the route's; its tags invalidate the route entry (R94, R112)", async () => {
    const first = await get("/api/isr");
    assert.equal(first.res.headers.get("cache-control"), "s-maxage=5, stale-while-revalidate=31535995");
    const before = first.data.body.n;
    assert.equal((await get("/api/isr")).data.body.n, before);
    const res = await fetch(`${server.url}/api/invalidate`, {
      method: "POST",
      body: JSON.stringify({ tag: "isr-data" }),
    });
    assert.equal(res.status, 200);
    const after = await get("/api/isr");
    assert.equal(after.data.body.n, before + 1, "route entry and fetch entry were both invalidated");
    assert.equal(after.res.headers.get("x-nextjs-cache"), "MISS");
    // Past both revalidates the route is served STALE and regenerated; the regeneration refreshes
    // the stale fetch entry first, so the new route entry carries the new upstream answer.
    clock += 6000;
    const stale = await get("/api/isr");
    assert.equal(stale.res.headers.get("x-nextjs-cache"), "STALE");
    assert.equal(stale.data.body.n, after.data.body.n);
    await until(async () => {
      const { res, data } = await get("/api/isr");
      return res.headers.get("x-nextjs-cache") === "HIT" && data.body.n === after.data.body.n + 1;
    }, "the regenerated route with fresh upstream data");
    assert.equal(count("/isr"), after.data.body.n + 1);
  });

  test('cache: "force-cache": a miss fetches, later calls are hits with status and headers kept', async () => {
    const first = await get("/api/force");
    assert.equal(count("/force"), 1);
    assert.deepEqual(first.data, {
      status: 200,
      up: "1",
      body: { path: "/force", n: 1, method: "GET", body: "" },
    });
    const second = await get("/api/force");
    assert.deepEqual(second.data, first.data);
    assert.equal(count("/force"), 1, "served from the data cache: the upstream saw one request");
  });

  test("every caller gets its own Response whose body can be read", async () => {
    const { data } = await get("/api/copies");
    assert.deepEqual(data, {
      same: true,
      bodyUsed: true,
      x: { path: "/copies", n: 1, method: "GET", body: "" },
    });
    assert.equal(count("/copies"), 1);
  });

  test('cache: "no-store" and option-less fetches are never cached', async () => {
    const a = await get("/api/nostore");
    const b = await get("/api/nostore");
    assert.equal(b.data.body.n, a.data.body.n + 1);
    const c = await get("/api/default");
    const d = await get("/api/default");
    assert.equal(d.data.body.n, c.data.body.n + 1);
    assert.equal(count("/default"), 2);
  });

  test("next.revalidate: fresh is a hit; stale is served while one background refresh runs", async () => {
    assert.equal((await get("/api/timed")).data.body.n, 1);
    assert.equal((await get("/api/timed")).data.body.n, 1);
    assert.equal(count("/timed"), 1);
    let release!: () => void;
    upstream.held.set("/timed", new Promise((resolve) => (release = resolve)));
    clock += 6000;
    // The refresh is held at the upstream: every read meanwhile gets the stale copy, none starts another.
    const reads = await Promise.all([get("/api/timed"), get("/api/timed"), get("/api/timed")]);
    assert.deepEqual(
      reads.map((r) => r.data.body.n),
      [1, 1, 1],
    );
    await until(async () => count("/timed") === 2, "the background refresh reaching the upstream");
    assert.equal((await get("/api/timed")).data.body.n, 1);
    assert.equal(count("/timed"), 2, "one refresh for all the stale reads");
    upstream.held.delete("/timed");
    release();
    await until(async () => (await get("/api/timed")).data.body.n === 2, "the refreshed entry");
    assert.equal(count("/timed"), 2);
  });

  test("a failed refresh keeps the stale copy", async () => {
    assert.equal((await get("/api/flaky")).data.body.n, 1);
    upstream.failing.add("/flaky");
    clock += 6000;
    assert.equal((await get("/api/flaky")).data.body.n, 1);
    await until(async () => count("/flaky") >= 2, "the refresh attempt");
    await until(
      async () =>
        server.logs.some((l) => l.message.includes("/flaky") && l.message.includes("stale copy is kept")),
      "the refresh failure log",
    );
    assert.equal((await get("/api/flaky")).data.body.n, 1, "still the stale copy, not the 500");
    upstream.failing.delete("/flaky");
    await until(async () => (await get("/api/flaky")).data.body.n > 1, "a later successful refresh");
  });

  test("R107: revalidateTag from a POST makes tagged entries stale; the next read refreshes", async () => {
    assert.equal((await get("/api/tagged")).data.body.n, 1);
    assert.equal((await get("/api/tagged")).data.body.n, 1);
    const res = await fetch(`${server.url}/api/tagged`, { method: "POST" });
    assert.equal(res.status, 200);
    assert.equal((await get("/api/tagged")).data.body.n, 1, "served stale once (profile max)");
    // The refresh started after the invalidation, so it is served once stored. (A refresh that starts
    // in the very millisecond of the invalidation counts as older than it and is followed by one more,
    // so the served answer catches up with the upstream's count rather than matching it on the first
    // poll.)
    await until(async () => {
      const served = (await get("/api/tagged")).data.body.n;
      return served > 1 && served === count("/tagged");
    }, "the upstream's latest answer to be served");
  });

  test("R94, R110: revalidatePath reaches the fetch entries the route made (implicit tags)", async () => {
    const before = (await get("/api/force")).data.body.n;
    assert.equal((await get("/api/force")).data.body.n, before);
    const res = await fetch(`${server.url}/api/invalidate`, {
      method: "POST",
      body: JSON.stringify({ path: "/api/force" }),
    });
    assert.equal(res.status, 200);
    // As above: served and upstream agree once the refresh (or a same-millisecond second one) is in.
    await until(async () => {
      const served = (await get("/api/force")).data.body.n;
      return served > before && served === count("/force");
    }, "a new upstream answer to be served");
  });

  test("answers above 2 MB are passed through but not stored, with one warning", async () => {
    const a = await (await fetch(`${server.url}/api/big`)).json();
    const b = await (await fetch(`${server.url}/api/big`)).json();
    assert.deepEqual(a, { n: 1, bytes: 3 * 1024 * 1024 });
    assert.deepEqual(b, { n: 2, bytes: 3 * 1024 * 1024 });
    const warnings = server.logs.filter((l) => l.message.includes("items over 2 MB are not cached"));
    assert.equal(warnings.length, 1);
  });

  test('R85: fetchCache = "default-cache" caches option-less calls, unless unstable_noStore() ran', async () => {
    assert.equal((await get("/api/default-cache")).data.body.n, 1);
    assert.equal((await get("/api/default-cache")).data.body.n, 1);
    assert.equal((await get("/api/default-cache?nostore")).data.body.n, 1);
    assert.equal((await get("/api/default-cache?nostore")).data.body.n, 2);
  });

  test("R113: a non-ASCII fetch tag is revalidated as written and percent-encoded", async () => {
    const first = (await get("/api/tagged-intl")).data.body.n;
    assert.equal((await get("/api/tagged-intl")).data.body.n, first);
    let expected = first;
    for (const tag of ["prix-€", "prix-%E2%82%AC"]) {
      const res = await fetch(`${server.url}/api/invalidate`, {
        method: "POST",
        body: JSON.stringify({ tag }),
      });
      assert.equal(res.status, 200);
      expected += 1;
      assert.equal((await get("/api/tagged-intl")).data.body.n, expected, tag);
      assert.equal((await get("/api/tagged-intl")).data.body.n, expected, `${tag}: cached again`);
    }
  });

  test("next.tags without a revalidate or cache option does not cache", async () => {
    const a = await get("/api/tags-only");
    const b = await get("/api/tags-only");
    assert.equal(b.data.body.n, a.data.body.n + 1);
  });

  test("the key includes the request body: a POST upstream with force-cache is cached per body", async () => {
    const a = await get("/api/post-body?body=one");
    assert.deepEqual(a.data.body, { path: "/post-body", n: 1, method: "POST", body: "one" });
    assert.equal((await get("/api/post-body?body=one")).data.body.n, 1);
    const b = await get("/api/post-body?body=two");
    assert.deepEqual(b.data.body, { path: "/post-body", n: 2, method: "POST", body: "two" });
    assert.equal(count("/post-body"), 2);
  });

  test("Authorization is part of the key: each token gets its own entry, never another's", async () => {
    const alice = await get("/api/auth?token=alice");
    assert.equal((await get("/api/auth?token=alice")).data.body.n, alice.data.body.n);
    const bob = await get("/api/auth?token=bob");
    assert.equal(bob.data.body.n, alice.data.body.n + 1, "bob's call went upstream");
    assert.equal((await get("/api/auth?token=bob")).data.body.n, bob.data.body.n);
    assert.equal(count("/auth"), 2);
  });

  test("a Request input: its own cache option, init next to it, and a stream body are handled", async () => {
    for (const mode of ["request", "init", "stream"]) {
      const a = await get(`/api/request-input?mode=${mode}`);
      const b = await get(`/api/request-input?mode=${mode}`);
      assert.equal(a.data.status, 200, mode);
      assert.deepEqual(b.data, a.data, `${mode}: second call served from the cache`);
    }
    assert.equal(count("/req"), 1);
    assert.equal(count("/req-init"), 1);
    assert.equal(count("/req-stream"), 1);
    assert.deepEqual((await get("/api/request-input?mode=stream")).data.body, {
      path: "/req-stream",
      n: 1,
      method: "POST",
      body: "streamed",
    });
  });

  test('R85: fetchCache = "force-cache" caches option-less and even no-store calls', async () => {
    assert.equal((await get("/api/segment-force")).data.body.n, 1);
    assert.equal((await get("/api/segment-force")).data.body.n, 1);
    assert.equal((await get("/api/segment-force?nostore")).data.body.n, 1);
    assert.equal((await get("/api/segment-force?nostore")).data.body.n, 1);
    assert.equal(count("/segment-force"), 1);
    assert.equal(count("/segment-force-nostore"), 1);
  });

  test('R85: fetchCache = "force-no-store" makes next.revalidate no-store; force-cache stays cached (as Next 16.4.6)', async () => {
    const a = await get("/api/segment-nostore");
    const b = await get("/api/segment-nostore");
    assert.equal(b.data.body.n, a.data.body.n + 1);
    assert.equal((await get("/api/segment-nostore?force")).data.body.n, 1);
    assert.equal((await get("/api/segment-nostore?force")).data.body.n, 1);
  });

  test('R85: fetchCache = "only-cache" refuses a no-store fetch with Next\'s message', async () => {
    const res = await fetch(`${server.url}/api/only-cache`);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "");
    const logged = server.logs.find((l) => l.level === "error" && String(l.error).includes("only-cache"));
    assert.ok(logged, "the error is logged");
    assert.match(
      String((logged.error as Error).message),
      /^cache: 'no-store' used on fetch for http:\/\/127\.0\.0\.1:\d+\/only-cache with 'export const fetchCache = 'only-cache'$/,
    );
    assert.equal(count("/only-cache"), 0);
  });

  test('R78: dynamic = "force-dynamic" makes option-less fetches no-store; explicit revalidate caches', async () => {
    const a = await get("/api/force-dynamic");
    const b = await get("/api/force-dynamic");
    assert.equal(b.data.body.n, a.data.body.n + 1);
    assert.equal((await get("/api/force-dynamic?timed")).data.body.n, 1);
    assert.equal((await get("/api/force-dynamic?timed")).data.body.n, 1);
  });

  test("R80: a no-store fetch in a revalidated GET makes the route dynamic", async () => {
    const a = await get("/api/isr-nostore");
    const b = await get("/api/isr-nostore");
    assert.equal(a.res.headers.get("x-nextjs-cache"), null);
    assert.equal(b.data.body.n, a.data.body.n + 1);
  });

  test('fetch inside a "use cache" function uses the data cache and tags the outer entry', async () => {
    const a = await get("/api/in-use-cache");
    assert.equal((a.data as unknown as { n: number }).n, 1);
    assert.equal(count("/in-use-cache"), 1);
    const res = await fetch(`${server.url}/api/invalidate`, {
      method: "POST",
      body: JSON.stringify({ tag: "uc" }),
    });
    assert.equal(res.status, 200);
    const b = await get("/api/in-use-cache");
    assert.equal(
      (b.data as unknown as { n: number }).n,
      2,
      "the tag reached both the fetch and the cached function",
    );
  });
});
