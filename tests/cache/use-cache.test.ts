// "use cache" through HTTP (spec §8, R96–R114): call counters prove hit, miss, stale, regenerate and
// invalidate; time moves through an injected clock (real time plus a skew the test advances), never
// through sleeps. Each misuse is asserted on its error code.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { skewedClock, tempProject, until } from "../helpers/project.ts";

let fx: FixtureServer;
let skew = 0;
const advance = (seconds: number) => {
  skew += seconds * 1000;
};

async function json(path: string, init?: RequestInit): Promise<any> {
  const response = await fetch(fx.url + path, init);
  assert.equal(response.status, 200, `${path} → ${response.status}`);
  return response.json();
}
const counts = () => json("/counts") as Promise<Record<string, number>>;
const post = (query: string) => json(`/revalidate?${query}`, { method: "POST" });

before(async () => {
  fx = await startFixture("use-cache", { overrides: { now: skewedClock(() => skew) } });
});
after(() => fx.close());

describe("hit, miss, stale, regenerate, expire", () => {
  test("R96 same arguments run once; other arguments miss", async () => {
    assert.deepEqual(await json("/value/a"), { id: "a", run: 1 });
    assert.deepEqual(await json("/value/a"), { id: "a", run: 1 });
    assert.deepEqual(await json("/value/b"), { id: "b", run: 1 });
    assert.equal((await counts())["value-a"], 1);
  });

  test("R120 after revalidate seconds: served stale once, regenerated in the background", async () => {
    await json("/value/s");
    advance(11); // the profile has revalidate 10
    assert.deepEqual(await json("/value/s"), { id: "s", run: 1 }, "stale value served");
    await until(async () => (await counts())["value-s"] === 2, "background regeneration");
    assert.deepEqual(await json("/value/s"), { id: "s", run: 2 });
    assert.equal((await counts())["value-s"], 2, "exactly one regeneration");
  });

  test("R120 after expire seconds: a miss, recomputed before answering", async () => {
    await json("/value/e");
    advance(101); // expire 100
    assert.deepEqual(await json("/value/e"), { id: "e", run: 2 });
  });
});

describe("invalidation", () => {
  test('R107 revalidateTag(tag, "max"): stale once, then fresh', async () => {
    assert.equal((await json("/value/t")).run, 1);
    assert.equal((await json("/value/u")).run, 1);
    await post("tag=value-t&profile=max");
    assert.equal((await json("/value/t")).run, 1, "stale value while regenerating");
    await until(async () => (await counts())["value-t"] === 2, "regeneration after revalidateTag");
    assert.equal((await json("/value/t")).run, 2);
    assert.equal((await json("/value/u")).run, 1, "entries without the tag are untouched");
  });

  test("R107 single-argument revalidateTag expires at once and warns (deprecated)", async () => {
    assert.equal((await json("/value/d")).run, 1);
    await post("tag=value-d");
    assert.equal((await json("/value/d")).run, 2);
    await post("tag=value-d");
    const warnings = fx.logs.filter(
      (l) => l.level === "warn" && l.message.includes("without the second argument"),
    );
    assert.equal(warnings.length, 1);
  });

  test("R110 revalidatePath invalidates cached calls made by that path (implicit tags, R94)", async () => {
    assert.equal((await json("/path/p1")).run, 1);
    assert.equal((await json("/path/p2")).run, 1);
    await post("path=/path/p1");
    assert.equal((await json("/path/p1")).run, 2);
    assert.equal((await json("/path/p2")).run, 1);
  });

  test("a revalidateTag that lands while the value is being computed invalidates that value too", async () => {
    const pending = json("/gated");
    await until(async () => (await counts()).gated === 1, "the computation to start");
    await post("tag=gated");
    await json("/gated", { method: "POST" }); // let the first computation finish
    assert.deepEqual(await pending, { run: 1 });
    assert.deepEqual(
      await json("/gated"),
      { run: 2 },
      "the value read before the invalidation is not reused",
    );
  });

  test("R113: tags over 256 characters and past the 128th are dropped with a warning; non-ASCII tags work", async () => {
    const before = fx.logs.length;
    assert.deepEqual(await json("/tags"), { run: 1 });
    const warnings = fx.logs.slice(before).filter((l) => l.level === "warn");
    assert.ok(warnings.some((l) => /longer than 256 characters/.test(l.message)));
    assert.ok(warnings.some((l) => /more than 128 tags.*"t127"/.test(l.message)));
    await post("tag=t127"); // the 129th tag: dropped, so this invalidates nothing
    await post(`tag=${"x".repeat(257)}`);
    assert.deepEqual(await json("/tags"), { run: 1 });
    await post("tag=t126"); // the 128th: kept
    assert.deepEqual(await json("/tags"), { run: 2 });
    await post(`tag=${encodeURIComponent("ünïcødé tag")}`);
    assert.deepEqual(await json("/tags"), { run: 3 });
    const logged = fx.logs.length;
    await post(`path=/${"p".repeat(1024)}`); // a revalidatePath path over 1024 characters: ignored
    assert.ok(
      fx.logs.slice(logged).some((l) => l.level === "warn" && /longer than 1024 characters/.test(l.message)),
    );
  });

  test("R106 inner tags propagate to the outer entry", async () => {
    assert.deepEqual(await json("/nested?key=n"), { key: "n", inner: 1, run: 1 });
    assert.deepEqual(await json("/nested?key=n"), { key: "n", inner: 1, run: 1 });
    await post("tag=inner&profile=max");
    await json("/nested?key=n");
    await until(async () => (await counts())["outer-n"] === 2, "outer regenerated through the inner tag");
  });

  test("R102: without cacheLife the outer entry lives no longer than a nested one; an explicit cacheLife decides (Next 16)", async () => {
    // inner: revalidate 5, expire 50. outerDefault has no cacheLife, outer has cacheLife("hours").
    assert.deepEqual(await json("/nested?key=life&default"), { key: "life", inner: 1, run: 1 });
    assert.deepEqual(await json("/nested?key=life"), { key: "life", inner: 1, run: 1 });
    advance(51);
    // Past the inner expire: the default outer entry expired with it and is recomputed now…
    const recomputed = await json("/nested?key=life&default");
    assert.equal(recomputed.run, 2);
    // …while the outer with an explicit "hours" is still served as it was.
    assert.deepEqual(await json("/nested?key=life"), { key: "life", inner: 1, run: 1 });
  });
});

describe("keys and values", () => {
  test("R98 closed-over values are part of the key", async () => {
    assert.deepEqual(await json("/closure?tenant=a"), { tenant: "a", page: 1, run: 1 });
    assert.deepEqual(await json("/closure?tenant=a"), { tenant: "a", page: 1, run: 1 });
    assert.deepEqual(await json("/closure?tenant=b"), { tenant: "b", page: 1, run: 1 });
  });

  test("R97 callers get copies", async () => {
    const body = await json("/copy");
    assert.deepEqual(body.first, [1, 2, 3, 99]);
    assert.deepEqual(body.second, [1, 2, 3]);
    assert.equal(body.run, 1);
  });

  test("concurrent calls with one key share one computation", async () => {
    assert.deepEqual(await json("/concurrent?key=x"), [1, 1, 1, 1]);
  });

  test('R105 "use cache: private" reads cookies and is kept per request only', async () => {
    const init = { headers: { cookie: "session=s1" } };
    const first = await json("/private", init);
    assert.deepEqual(first, { a: { session: "s1", run: 1 }, b: { session: "s1", run: 1 } });
    const second = await json("/private", init);
    assert.equal(second.a.run, 2);
  });

  test("R114 unstable_cache caches per arguments and keeps rich values", async () => {
    const first = await json("/legacy?id=1");
    assert.equal(first.run, 1);
    assert.equal(first.isDate, true);
    assert.equal((await json("/legacy?id=1")).run, 1);
    assert.equal((await json("/legacy?id=2")).run, 1);
  });

  test('R119 "use cache: remote" uses the remote handler (the shared default here)', async () => {
    assert.equal((await json("/remote?id=1")).run, 1);
    assert.equal((await json("/remote?id=1")).run, 1);
  });

  test("R103, R151 custom profiles from next.config top-level cacheLife", async () => {
    assert.deepEqual(await json("/errors/custom-profile"), { value: 1 });
    assert.deepEqual(await json("/errors/custom-profile"), { value: 1 });
  });
});

describe("errors", () => {
  // Each message matches real Next 16.4.6 (the "(in <function>)" note is approute's); Next masks it
  // from the handler's catch in production, approute passes the real error. Next lets a class
  // instance or function through as an opaque reference instead; approute refuses it (APR_UNSERIALIZABLE).
  const cases: Array<[string, string, { code?: string; message: RegExp }]> = [
    [
      "R104",
      "cookies",
      { code: "APR_CACHE_SCOPE", message: /`cookies\(\)` can't be read inside `"use cache"`/ },
    ],
    ["R104", "headers", { code: "APR_CACHE_SCOPE", message: /`headers\(\)` can't be read inside/ }],
    [
      "R104",
      "connection-inside",
      { code: "APR_CACHE_SCOPE", message: /`connection\(\)` can't be called inside `"use cache"`/ },
    ],
    [
      "R99",
      "request-arg",
      { code: "APR_UNSERIALIZABLE", message: /argument.*takesAnything \(lib\/data\.ts:\d+\).*Request/ },
    ],
    ["R99", "function-arg", { code: "APR_UNSERIALIZABLE", message: /a function/ }],
    ["R99", "class-arg", { code: "APR_UNSERIALIZABLE", message: /a Point instance/ }],
    [
      "R100",
      "response-return",
      { code: "APR_UNSERIALIZABLE", message: /the return value of cached function returnsResponse/ },
    ],
    [
      "R102",
      "bad-life",
      { code: "APR_INVALID_CONFIG", message: /expire option must be greater than the revalidate option/ },
    ],
    [
      "R103",
      "unknown-profile",
      { code: "APR_INVALID_CONFIG", message: /Unknown cacheLife profile "fortnightly"/ },
    ],
    ["R102", "life-outside", { message: /cacheLife\(\) can only be called inside a "use cache" function/ }],
    [
      "R106",
      "tag-outside",
      { message: /cacheTag\(\) can only be called inside a "use cache" or "use cache: private" function/ },
    ],
    [
      "R111",
      "revalidate-inside",
      { code: "APR_CACHE_SCOPE", message: /`revalidateTag\("x"\)` can't be called inside a cached function/ },
    ],
    [
      "R111",
      "revalidate-path-inside",
      {
        code: "APR_CACHE_SCOPE",
        message: /`revalidatePath\("\/counts"\)` can't be called inside a cached function/,
      },
    ],
    [
      "R111",
      "revalidate-in-unstable-cache",
      { code: "APR_CACHE_SCOPE", message: /`revalidateTag\("x"\)` can't be called inside a cached function/ },
    ],
    ["R108", "update-tag", { message: /updateTag can only be called from within a Server Action/ }],
    ["R108", "update-tag-inside", { message: /updateTag can only be called from within a Server Action/ }],
    ["R109", "refresh", { message: /refresh can only be called from within a Server Action/ }],
  ];
  for (const [rule, name, expected] of cases) {
    test(`${rule} ${name} → 500 with ${expected.code ?? "the Next message"}`, async () => {
      const before = fx.logs.length;
      const response = await fetch(`${fx.url}/errors/${name}`);
      assert.equal(response.status, 500);
      assert.equal(await response.text(), "", "no details reach the client");
      const logged = fx.logs.slice(before).find((l) => l.level === "error")?.error as
        | { code?: string; message: string }
        | undefined;
      assert.ok(logged, "the error is logged");
      if (expected.code) assert.equal(logged.code, expected.code);
      assert.match(logged.message, expected.message);
    });
  }
});

describe("cacheMaxMemorySize bounds the embedded cache (R122, R152)", () => {
  /** Serves a project whose cached helper returns ~1 KB per id, with `cacheMaxMemorySize: bytes`. */
  async function withBound(bytes: number, body: (run: (id: string) => Promise<number>) => Promise<void>) {
    const project = tempProject({
      "next.config.mjs": `export default { cacheMaxMemorySize: ${bytes} };\n`,
      "app/v/[id]/route.ts": `const runs: Record<string, number> = {};
async function load(id: string) {
  "use cache";
  runs[id] = (runs[id] ?? 0) + 1;
  return { run: runs[id], padding: "p".repeat(1000) };
}
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return Response.json(await load((await params).id));
}
`,
    });
    const server = await startFixture("", { root: project.root });
    try {
      await body(async (id) => (await (await fetch(`${server.url}/v/${id}`)).json()).run);
    } finally {
      await server.close();
      project.dispose();
    }
  }

  test("0 disables the memory cache: every call runs", async () => {
    await withBound(0, async (run) => {
      assert.equal(await run("a"), 1);
      assert.equal(await run("a"), 2);
    });
  });

  test("a small bound keeps the most recently used entries (LRU)", async () => {
    // Each entry is a little over 1 KB: 3000 bytes hold two of them.
    await withBound(3000, async (run) => {
      assert.equal(await run("a"), 1);
      assert.equal(await run("b"), 1);
      assert.equal(await run("a"), 1, "a hit, which makes a the most recently used");
      assert.equal(await run("c"), 1, "storing c evicts b, the least recently used");
      assert.equal(await run("a"), 1);
      assert.equal(await run("c"), 1);
      assert.equal(await run("b"), 2, "b was evicted and runs again");
    });
  });
});
