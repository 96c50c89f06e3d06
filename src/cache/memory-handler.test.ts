// The embedded LRU handler (R120, R122): byte bound, eviction order, fresh streams, tag verdicts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { bytesOf, preciseNow, streamOf } from "./entry.js";
import { createMemoryHandler } from "./memory-handler.js";

const text = (s: string) => new TextEncoder().encode(s);
const entry = (value: string, tags: string[] = [], timestamp = 1000) => ({
  value: streamOf(text(value)),
  tags,
  stale: 0,
  revalidate: 60,
  expire: 600,
  timestamp,
});
const read = async (handler: ReturnType<typeof createMemoryHandler>, key: string) => {
  const found = await handler.get(key, []);
  return found && new TextDecoder().decode(await bytesOf(found.value));
};

test("R122 evicts least recently used entries past the byte bound", async () => {
  const handler = createMemoryHandler({ maxBytes: 2000, now: () => 1000 });
  await handler.set("a", Promise.resolve(entry("x".repeat(600))));
  await handler.set("b", Promise.resolve(entry("y".repeat(600))));
  assert.ok(await read(handler, "a")); // a is now the most recent
  await handler.set("c", Promise.resolve(entry("z".repeat(600))));
  assert.equal(await read(handler, "b"), undefined, "b was least recently used");
  assert.ok(await read(handler, "a"));
  assert.ok(await read(handler, "c"));
  assert.ok(handler.size <= 2000);
});

test("R122 hits keep the LRU order when the entry hit is already the most recent (#6)", async () => {
  const handler = createMemoryHandler({ maxBytes: 2000, now: () => 1000 });
  await handler.set("a", Promise.resolve(entry("x".repeat(600))));
  await handler.set("b", Promise.resolve(entry("y".repeat(600))));
  assert.ok(handler.peek?.("b", [])); // already the most recent: not moved
  assert.ok(await read(handler, "b"));
  assert.ok(await read(handler, "a")); // a moves to the most recent end
  assert.ok(handler.peek?.("b", [])); // and b back past it
  await handler.set("c", Promise.resolve(entry("z".repeat(600))));
  assert.equal(await read(handler, "a"), undefined, "a was least recently used");
  assert.ok(await read(handler, "b"));
  assert.ok(await read(handler, "c"));
});

test("R122 cacheMaxMemorySize 0 stores nothing", async () => {
  const handler = createMemoryHandler({ maxBytes: 0 });
  await handler.set("a", Promise.resolve(entry("x")));
  assert.equal(await read(handler, "a"), undefined);
});

test("R120 every get returns a fresh stream; a get during a pending set waits for it", async () => {
  const handler = createMemoryHandler({ now: () => 1000 });
  let resolve!: (e: ReturnType<typeof entry>) => void;
  const setting = handler.set("k", new Promise((r) => (resolve = r)));
  const reading = read(handler, "k");
  resolve(entry("value"));
  await setting;
  assert.equal(await reading, "value");
  assert.equal(await read(handler, "k"), "value");
});

test("R107 tag verdicts: stale (revalidate -1) with an expire window, gone once it passes", async () => {
  let now = 1000;
  const handler = createMemoryHandler({ now: () => now });
  await handler.set("k", Promise.resolve(entry("v", ["t"], 1000)));
  now = 2000;
  await handler.updateTags(["t"], { expire: 10 });
  assert.equal((await handler.get("k", []))?.revalidate, -1);
  now = 2000 + 10_001;
  assert.equal(await handler.get("k", []), undefined);
});

test("R94 soft tags invalidate too; entries made after the invalidation are fresh", async () => {
  let now = 1000;
  const handler = createMemoryHandler({ now: () => now });
  await handler.set("k", Promise.resolve(entry("v", [], 1000)));
  now = 1500;
  await handler.updateTags(["_N_T_/a"]);
  assert.equal(await handler.get("k", ["_N_T_/a"]), undefined);
  now = 1600;
  await handler.set("k", Promise.resolve(entry("v2", [], 1600)));
  assert.equal(await read(handler, "k"), "v2");
  assert.equal((await handler.get("k", ["_N_T_/a"]))?.revalidate, 60);
});

test("peek (#6) says what get says about age and tags, without a stream, and defers to get during a set", async () => {
  let clock = 1000;
  const handler = createMemoryHandler({ now: () => clock });
  assert.equal(handler.peek!("a", []), undefined);
  await handler.set("a", Promise.resolve(entry("x", ["t"])));
  assert.deepEqual(handler.peek!("a", []), { timestamp: 1000, revalidate: 60 });
  clock = 2000;
  await handler.updateTags(["t"]);
  assert.equal(handler.peek!("a", []), undefined, "an expired tag removes the entry, as get does");
  assert.equal(await handler.get("a", []), undefined);
  await handler.set("b", Promise.resolve(entry("y", [], 2000)));
  clock = 3000;
  await handler.updateTags(["soft"], { expire: 3600 });
  assert.deepEqual(handler.peek!("b", ["soft"]), { timestamp: 2000, revalidate: -1 }, "stale by a soft tag");
  assert.equal((await handler.get("b", ["soft"]))?.revalidate, -1);
  let release!: (value: ReturnType<typeof entry>) => void;
  const setting = handler.set("b", new Promise((resolve) => (release = resolve)));
  assert.equal(handler.peek!("b", []), undefined, "a pending set sends the caller to get");
  release(entry("z", [], 3000));
  await setting;
  assert.deepEqual(handler.peek!("b", []), { timestamp: 3000, revalidate: 60 });
  // The caller's reading of the same clock, when given, is the time of the check.
  assert.equal(handler.peek!("b", [], 3000 + 601_000), undefined, "past expire at the caller's reading");
  assert.equal(await handler.get("b", []), undefined, "and gone for get too");
  await handler.set("b", Promise.resolve(entry("w", [], 3000)));
  clock = 3000 + 601_000;
  assert.equal(handler.peek!("b", []), undefined, "past expire");
});

test("R107 updateTags with durations but no expire marks entries stale without expiring them", async () => {
  let clock = 1000;
  const handler = createMemoryHandler({ now: () => clock });
  await handler.set("k", Promise.resolve(entry("v", ["t"], 1000)));
  clock = 2000;
  await handler.updateTags(["t"], {});
  const found = await handler.get("k", []);
  assert.ok(found, "still served");
  assert.ok(found.revalidate < 0, "but stale");
  clock = 500_000; // within the entry's own 600 s expire
  assert.ok(await handler.get("k", []), "and not expired by this call");
  await handler.updateTags(["t"]);
  assert.equal(await handler.get("k", []), undefined, "no durations: expired at once");
});

test("R107 an entry made right after an invalidation is fresh (the default clock is sub-millisecond)", async () => {
  const handler = createMemoryHandler();
  // Many rounds: with a whole-millisecond clock most of them would share the tag's timestamp.
  for (let round = 0; round < 50; round++) {
    await handler.updateTags(["t"]);
    await handler.set("k", Promise.resolve(entry("v", ["t"], preciseNow())));
    const found = await handler.get("k", []);
    assert.ok(found && found.revalidate >= 0, `fresh in round ${round}`);
  }
});
