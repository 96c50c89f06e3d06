// approute/testing: createTestClient builds a fixture app and calls its fetch entry in-process —
// the way users unit-test their route handlers (anchor: next-test-api-route-handler).
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createTestClient, type TestClient } from "approute/testing";
import { type CapturedLog, captureLogger, FIXTURES } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";

describe("createTestClient", () => {
  let client: TestClient;
  const logs: CapturedLog[] = [];
  before(async () => {
    client = await createTestClient({ dir: join(FIXTURES, "test-client"), logger: captureLogger(logs) });
  });
  after(() => client.close());

  test("GET with params, query and a cookie", async () => {
    const res = await client.fetch("/api/users/7?field=a&field=b", { headers: { cookie: "theme=dark" } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { id: "7", theme: "dark", fields: ["a", "b"] });
  });

  test("a handler's own status codes", async () => {
    const res = await client.fetch("/api/users/0");
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: "no such user" });
  });

  test("PUT with a JSON body, valid and invalid", async () => {
    const ok = await client.fetch("/api/users/3", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada" }),
    });
    assert.deepEqual(await ok.json(), { id: "3", name: "Ada" });
    const bad = await client.fetch("/api/users/3", { method: "PUT", body: "{}" });
    assert.equal(bad.status, 422);
  });

  test("cookies().set reaches Set-Cookie", async () => {
    const res = await client.fetch(new Request("http://localhost/api/session", { method: "POST" }));
    assert.equal(res.status, 204);
    assert.match(res.headers.get("set-cookie") ?? "", /^session=abc; Path=\/; HttpOnly/i);
  });

  test("router behaviour comes with it: 405 with Allow, 404, thrown errors are a logged 500", async () => {
    const wrong = await client.fetch("/api/session", { method: "DELETE" });
    assert.equal(wrong.status, 405);
    assert.match(wrong.headers.get("allow") ?? "", /GET/);
    assert.equal((await client.fetch("/nope")).status, 404);
    const boom = await client.fetch("/api/session");
    assert.equal(boom.status, 500);
    assert.doesNotMatch(await boom.text(), /boom/);
    assert.ok(logs.some((l) => l.level === "error" && String(l.error).includes("boom")));
  });

  test("the manifest lists the routes, and close() removes the private build", async () => {
    const keys = client.manifest.routes.map((r) => r.key).sort();
    assert.deepEqual(keys, ["/api/session", "/api/users/[id]"]);
    const builds = () =>
      readdirSync(join(FIXTURES, "test-client", ".approute")).filter((d) =>
        d.startsWith(`test-${process.pid}-`),
      );
    const before = builds().length;
    const other = await createTestClient({ dir: join(FIXTURES, "test-client") });
    assert.equal(builds().length, before + 1);
    await other.close();
    assert.equal(builds().length, before);
    assert.equal(
      (await client.fetch("/api/users/1")).status,
      200,
      "closing one client leaves others working",
    );
  });
});

test("createTestClient loads the project's .env files as next/jest does: .env.test and .env, never .env.local", async () => {
  assert.equal(process.env.NODE_ENV, "test", "the test runner's mode");
  const project = tempProject({
    ".env": "FROM_ENV=env\nIN_TEST=env\n",
    ".env.test": "IN_TEST=env.test\n",
    ".env.local": "FROM_LOCAL=yes\n",
    "app/env/route.ts": `export function GET() {
  return Response.json({ env: process.env.FROM_ENV, test: process.env.IN_TEST, local: process.env.FROM_LOCAL ?? null });
}
`,
  });
  const client = await createTestClient({ dir: project.root });
  try {
    assert.deepEqual(await (await client.fetch("/env")).json(), {
      env: "env",
      test: "env.test",
      local: null,
    });
  } finally {
    await client.close();
    project.dispose();
  }
});

describe("createTestClient({ reuseBuild: true })", () => {
  test("builds once into .approute/server when there is no build, then serves it", async () => {
    const dir = join(FIXTURES, "test-client");
    const client = await createTestClient({ dir, reuseBuild: true });
    assert.ok(existsSync(join(dir, ".approute", "server", "entry.mjs")));
    assert.equal((await client.fetch("/api/users/5")).status, 200);
    await client.close();
    assert.ok(existsSync(join(dir, ".approute", "server", "entry.mjs")), "a reused build is left alone");
  });
});
