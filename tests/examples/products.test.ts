// The products example (examples/, issue #4): a real SQLite file through better-sqlite3, getProducts()
// with "use cache" + cacheLife("hours") + cacheTag("products"), POST inserting and calling
// revalidateTag("products", "max"). Also the users helper, which is "use cache" too.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { REPO, until } from "../helpers/project.ts";

let fx: FixtureServer;
const dir = mkdtempSync(join(tmpdir(), "approute-products-"));

before(async () => {
  process.env.PRODUCTS_DB = join(dir, "products.sqlite");
  fx = await startFixture("examples", { root: join(REPO, "examples") });
});
after(async () => {
  await fx.close();
  delete process.env.PRODUCTS_DB;
  rmSync(dir, { recursive: true, force: true });
});

async function list() {
  const response = await fetch(`${fx.url}/api/products`);
  assert.equal(response.status, 200);
  return (await response.json()) as { products: Array<{ name: string }>; queriedAt: string };
}

test("GET is served from the cache: one query for many requests", async () => {
  const first = await list();
  assert.deepEqual(
    first.products.map((p) => p.name),
    ["Keyboard", "Mouse", "Monitor"],
  );
  const second = await list();
  assert.equal(second.queriedAt, first.queriedAt);
});

test('POST inserts and revalidateTag("products", "max") refreshes the list (stale once, then fresh)', async () => {
  const before = await list();
  const created = await fetch(`${fx.url}/api/products`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Desk", price: 250 }),
  });
  assert.equal(created.status, 201);
  assert.equal(((await created.json()) as { name: string }).name, "Desk");
  const stale = await list();
  assert.equal(stale.queriedAt, before.queriedAt, "served stale while the list is recomputed");
  await until(
    async () => (await list()).products.some((p) => p.name === "Desk"),
    "the new product to appear",
  );
});

test("POST with a bad body is a 400 with a reason", async () => {
  const response = await fetch(`${fx.url}/api/products`, { method: "POST", body: "{" });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), { error: "expected a JSON body" });
  const invalid = await fetch(`${fx.url}/api/products`, {
    method: "POST",
    body: JSON.stringify({ name: "" }),
  });
  assert.equal(invalid.status, 400);
});

test("the users helper is cached too", async () => {
  const response = await fetch(`${fx.url}/users/1`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { id: "1", name: "Ada" });
});
