// Cache poisoning through request headers (research/security.md #21, #26, #27): the request that
// fills a cached GET carries every header an attacker might use to steer it — host and scheme (with
// trustProxy on, so they do reach request.url), Next's internal routing headers, RSC and router
// headers, credentials — and the stored entry must be exactly what a plain request gets.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { rawRequest } from "../helpers/raw.ts";

const POISON = [
  "X-Forwarded-Host: evil.tld",
  "X-Forwarded-Proto: https",
  "X-Forwarded-Port: 8443",
  "RSC: 1",
  "Next-Router-Prefetch: 1",
  "Next-Router-Segment-Prefetch: /_tree",
  "Next-Router-State-Tree: %5B%22%22%5D",
  "Next-Url: /evil",
  "Next-Action: abc",
  "x-invoke-path: /api/reval",
  "x-invoke-query: %7B%22a%22%3A1%7D",
  "x-invoke-output: /evil",
  "x-matched-path: /api/reval",
  "x-now-route-matches: id=evil",
  "x-middleware-prefetch: 1",
  "x-nextjs-data: 1",
  "Authorization: Bearer user-a",
  "Cookie: session=user-a",
];

const get = (url: string, target: string, headers: string[] = []) =>
  rawRequest(
    url,
    `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join("")}\r\n`,
  );

describe("cache poisoning through request headers (#21, #27)", () => {
  let f: FixtureServer;
  before(async () => {
    f = await startFixture("route-cache", { serve: { trustProxy: true } });
  });
  after(() => f?.close());

  test("a force-static fill under hostile headers stores the masked response (R77)", async () => {
    const invalidate = await fetch(`${f.url}/api/invalidate`, {
      method: "POST",
      body: JSON.stringify({ path: "/api/static" }),
    });
    assert.equal(invalidate.status, 200);
    const poisoned = await get(f.url, "/api/static?x=1", POISON);
    assert.equal(poisoned.status, 200);
    assert.equal(poisoned.headers["x-nextjs-cache"]?.[0], "MISS", "this request filled the entry");
    const body = JSON.parse(poisoned.body);
    assert.equal(body.url, "http://localhost:3000/api/static", "no client host or scheme in a stored body");
    assert.deepEqual([body.hcount, body.ccount, body.h2, body.c2], [0, 0, 0, 0]);
    assert.doesNotMatch(poisoned.raw, /evil|user-a/);
    const plain = await get(f.url, "/api/static");
    assert.equal(plain.headers["x-nextjs-cache"]?.[0], "HIT");
    assert.deepEqual(JSON.parse(plain.body), body);
    assert.deepEqual(plain.headers["content-type"], poisoned.headers["content-type"]);
    assert.deepEqual(plain.headers.vary, poisoned.headers.vary);
  });

  test("an on-demand fill of a param route under hostile headers (R83)", async () => {
    const poisoned = await get(f.url, "/api/items/poison-77", POISON);
    assert.equal(poisoned.headers["x-nextjs-cache"]?.[0], "MISS");
    assert.deepEqual(JSON.parse(poisoned.body), { id: "poison-77", n: 1 });
    const plain = await get(f.url, "/api/items/poison-77");
    assert.equal(plain.headers["x-nextjs-cache"]?.[0], "HIT");
    assert.deepEqual(JSON.parse(plain.body), { id: "poison-77", n: 1 });
  });

  test("a gzip-accepting request that fills an entry does not make it gzip for others", async () => {
    const first = await get(f.url, "/api/items/poison-gz", ["Accept-Encoding: gzip", ...POISON]);
    assert.equal(first.status, 200);
    const plain = await get(f.url, "/api/items/poison-gz");
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.deepEqual(JSON.parse(plain.body), { id: "poison-gz", n: 1 });
  });
});
