// Custom cache handlers from next.config `cacheHandlers` (R119–R123): a user module receives get/set
// in Next's order, "use cache: <kind>" selects its handler, tag invalidation reaches it, and
// invalid configuration fails at start with APR_INVALID_CONFIG.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createApp, isApprouteError } from "approute";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";

let fx: FixtureServer;
before(async () => {
  fx = await startFixture("cache-handlers");
  await fetch(`${fx.url}/log`); // clear
});
after(() => fx.close());

const get = async (path: string, init?: RequestInit) => (await fetch(fx.url + path, init)).json();

test("R119, R152 the cacheHandlers module sees get then set on the first call, get only on a hit", async () => {
  assert.deepEqual(await get("/value"), { run: 1 });
  assert.deepEqual(await get("/log"), [
    ["get", "default", true],
    ["set", "default", ["v"]],
  ]);
  assert.deepEqual(await get("/value"), { run: 1 });
  assert.deepEqual(await get("/log"), [["get", "default", true]]);
});

test('R119 "use cache: <kind>" selects the configured handler of that kind', async () => {
  assert.deepEqual(await get("/custom"), { run: 1 });
  assert.deepEqual(await get("/custom"), { run: 1 });
  const log = (await get("/log")) as unknown[][];
  assert.ok(log.every((call) => call[1] === "my-store"));
  assert.deepEqual(
    log.map((c) => c[0]),
    ["get", "set", "get"],
  );
});

test("R107 revalidateTag reaches every configured handler", async () => {
  await get("/custom", { method: "POST" });
  const log = (await get("/log")) as unknown[][];
  assert.deepEqual(log, [["updateTags", ["v"]]], "one handler module serves both kinds: called once");
  assert.deepEqual(await get("/value"), { run: 2 });
});

test("R123 cacheHandlers.private is rejected; R119 kind names are checked", () => {
  for (const [handlers, pattern] of [
    [{ private: "./x.mjs" }, /"use cache: private" cannot be customized/],
    [{ Foo: "./x.mjs" }, /Invalid cacheHandlers kind "Foo"/],
  ] as const) {
    assert.throws(
      () => createApp({ routes: [], config: { cacheHandlers: handlers } }),
      (error) => isApprouteError(error) && error.code === "APR_INVALID_CONFIG" && pattern.test(error.message),
    );
  }
});

// What a cache handler is handed for the `default` profile, as `next start` (16.4.6) hands it to a
// logging handler with the same config: stale from experimental.staleTimes.static; the built-in
// expire stays "never" whatever expireTime says; a custom default without expire takes expireTime.
test("R101, R154, R156: default profile entries carry staleTimes.static and Next's expire", async () => {
  async function lifeOf(cacheLife: string): Promise<unknown> {
    const project = tempProject({
      "next.config.mjs": `export default {
  expireTime: 3600,
  experimental: { staleTimes: { static: 120 } },
  cacheHandlers: { default: "./handler.mjs" },
  ${cacheLife}
};
`,
      "handler.mjs": `const entries = new Map();
export const lives = (globalThis.__approuteTestLives = []);
export default {
  async get(key) {
    const stored = entries.get(key);
    return stored && { ...stored.meta, value: new Blob([stored.bytes]).stream() };
  },
  async set(key, pending) {
    const { value, ...meta } = await pending;
    entries.set(key, { meta, bytes: new Uint8Array(await new Response(value).arrayBuffer()) });
    lives.push({ stale: meta.stale, revalidate: meta.revalidate, expire: meta.expire });
  },
  async refreshTags() {},
  async getExpiration() { return 0; },
  async updateTags() {},
};
`,
      "app/value/route.ts": `async function load() {
  "use cache";
  return { ok: true };
}
export async function GET() {
  await load();
  return Response.json((globalThis as { __approuteTestLives?: unknown[] }).__approuteTestLives);
}
`,
    });
    try {
      const server = await startFixture("", { root: project.root });
      try {
        const lives = await (await fetch(`${server.url}/value`)).json();
        return lives.at(-1);
      } finally {
        await server.close();
      }
    } finally {
      project.dispose();
    }
  }
  assert.deepEqual(await lifeOf(""), { stale: 120, revalidate: 900, expire: 0xfffffffe });
  assert.deepEqual(await lifeOf("cacheLife: { default: { revalidate: 600 } },"), {
    stale: 120,
    revalidate: 600,
    expire: 3600,
  });
});
