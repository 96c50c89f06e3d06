// #6 (cold start): `approute start` imports the modules of dynamic routes on first use and preloads
// them in the background, as `next start` does (preloadEntriesOnStart), from the exports the build
// recorded in the manifest. These tests spawn the real CLI on built projects and speak HTTP to it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createApp } from "approute";
import { BIN, spawnServer, tempProject, until } from "../helpers/project.ts";

// Counts evaluations of its own module and reports whether its top level ran inside a request.
const COUNTED = `import { headers } from "next/headers";
const g = globalThis as { evaluations?: number };
g.evaluations = (g.evaluations ?? 0) + 1;
let topLevel = "outside a request";
try {
  topLevel = (await headers()).get("x-probe") ?? "inside a request";
} catch {}
export const maxDuration = 30;
export async function GET() {
  return Response.json({ evaluations: g.evaluations, topLevel });
}
export async function POST(request: Request) {
  return Response.json({ echoed: await request.text() });
}
`;
// Reads the counter without importing the counted module.
const PROBE = `export function GET() {
  return Response.json({ evaluations: (globalThis as { evaluations?: number }).evaluations ?? 0 });
}
`;

const project = tempProject({
  "app/api/counted/route.ts": COUNTED,
  "app/api/probe/route.ts": PROBE,
  "app/api/limited/route.ts": `export const bodySizeLimit = 8;
export async function POST(request: Request) {
  return new Response(await request.text());
}
`,
  // Throws at its top level only when BOOM is set: the build (without it) succeeds.
  "app/api/boom/route.ts": `if (process.env.BOOM) throw new Error("boom at the top level");
export function GET() {
  return Response.json({ ok: true });
}
`,
  // An export JSON cannot carry: this route is imported at start, as before.
  "app/api/eager/route.ts": `export const table = new Map([["a", 1]]);
export function GET() {
  return Response.json({ a: table.get("a") });
}
`,
  "app/api/static/route.ts": `export const dynamic = "force-static";
export function GET() {
  return Response.json({ static: true });
}
`,
});
const onDemand = tempProject({
  "next.config.mjs": "export default { experimental: { preloadEntriesOnStart: false } };\n",
  "app/api/counted/route.ts": COUNTED,
  "app/api/probe/route.ts": PROBE,
});
after(() => {
  project.dispose();
  onDemand.dispose();
});

describe("dynamic routes load on first use (#6)", () => {
  test("the build records the exports of dynamic routes, not of cached or unrecordable ones", () => {
    const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(build.status, 0, build.stderr);
    const manifest = JSON.parse(
      readFileSync(join(project.root, ".approute", "server", "manifest.json"), "utf8"),
    );
    const exportsOf = (file: string) =>
      manifest.routes.find((r: { file: string }) => r.file === `app/api/${file}/route.ts`).exports;
    assert.deepEqual(exportsOf("counted"), { functions: ["GET", "POST"], values: { maxDuration: 30 } });
    assert.deepEqual(exportsOf("limited"), { functions: ["POST"], values: { bodySizeLimit: 8 } });
    assert.equal(exportsOf("eager"), undefined);
    assert.equal(exportsOf("static"), undefined);
  });

  test("without preloading, a module loads on its first request: once, outside that request", async () => {
    const build = spawnSync(process.execPath, [BIN, "build", onDemand.root], { encoding: "utf8" });
    assert.equal(build.status, 0, build.stderr);
    const server = await spawnServer(["start", onDemand.root, "-p", "0", "-H", "127.0.0.1"]);
    const evaluations = async () => (await (await fetch(`${server.url}/api/probe`)).json()).evaluations;
    try {
      assert.equal(await evaluations(), 0);
      // OPTIONS and 405 are answered from the record, without the module.
      const options = await fetch(`${server.url}/api/counted`, { method: "OPTIONS" });
      assert.equal(options.headers.get("allow"), "GET, HEAD, OPTIONS, POST");
      assert.equal((await fetch(`${server.url}/api/counted`, { method: "PUT" })).status, 405);
      assert.equal(await evaluations(), 0);
      // Two first requests at once share one import; its top level does not see either request.
      const [a, b] = await Promise.all(
        [1, 2].map(() => fetch(`${server.url}/api/counted`, { headers: { "x-probe": "leaked" } })),
      );
      assert.deepEqual(await a!.json(), { evaluations: 1, topLevel: "outside a request" });
      assert.deepEqual(await b!.json(), { evaluations: 1, topLevel: "outside a request" });
      assert.equal(await evaluations(), 1);
    } finally {
      await server.stop();
    }
  });

  test("by default every module is preloaded in the background; methods and segment config work from the record", async () => {
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      // Preloaded without a request for it.
      await until(
        async () => (await (await fetch(`${server.url}/api/probe`)).json()).evaluations === 1,
        "the background preload",
      );
      const options = await fetch(`${server.url}/api/counted`, { method: "OPTIONS" });
      assert.equal(options.status, 204);
      assert.equal(options.headers.get("allow"), "GET, HEAD, OPTIONS, POST");
      const put = await fetch(`${server.url}/api/counted`, { method: "PUT" });
      assert.equal(put.status, 405);
      const get = await fetch(`${server.url}/api/counted`, { headers: { "x-probe": "leaked" } });
      assert.deepEqual(await get.json(), { evaluations: 1, topLevel: "outside a request" });
      const post = await fetch(`${server.url}/api/counted`, { method: "POST", body: "hi" });
      assert.deepEqual(await post.json(), { echoed: "hi" });
      // bodySizeLimit applies from the record (A6).
      const big = await fetch(`${server.url}/api/limited`, { method: "POST", body: "0123456789" });
      assert.equal(big.status, 413);
      const small = await fetch(`${server.url}/api/limited`, { method: "POST", body: "0123" });
      assert.equal(await small.text(), "0123");
      assert.deepEqual(await (await fetch(`${server.url}/api/eager`)).json(), { a: 1 });
      assert.deepEqual(await (await fetch(`${server.url}/api/static`)).json(), { static: true });
      assert.deepEqual(await (await fetch(`${server.url}/api/boom`)).json(), { ok: true });
    } finally {
      await server.stop();
    }
  });

  test("a module that throws when loaded is logged and answers 500; the other routes keep working", async () => {
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"], {
      env: { BOOM: "1" },
    });
    try {
      const boom = await fetch(`${server.url}/api/boom`);
      assert.equal(boom.status, 500);
      assert.doesNotMatch(await boom.text(), /boom at the top level/, "no error details to the client");
      assert.match(server.output(), /Failed to load the route module app\/api\/boom\/route\.ts/);
      assert.match(server.output(), /boom at the top level/);
      const ok = await fetch(`${server.url}/api/counted`);
      assert.equal(ok.status, 200);
    } finally {
      await server.stop();
    }
  });

  test("a closed app starts no further background loads, and close() waits for the one in flight", async () => {
    // The preload goes one module at a time; closing the app (a server's shutdown) ends it, so
    // nothing is imported, or fails to import, after the app is gone: close() resolves once the
    // load in flight has settled, so the build may then be removed (as tests and testing's close() do).
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstStarted!: () => void;
    const first = new Promise<void>((resolve) => {
      firstStarted = resolve;
    });
    const record = (name: string) => ({
      file: `app/${name}/route.ts`,
      segments: [{ kind: "static" as const, value: name }],
      lazy: {
        exports: { functions: ["GET"], values: {} },
        load: async () => {
          started.push(name);
          firstStarted();
          await gate;
          return Object.fromEntries([["GET", () => new Response(name)]]);
        },
      },
    });
    const app = createApp({ routes: [record("a"), record("b"), record("c")] });
    await first;
    let closedYet = false;
    const closing = app.close().then(() => {
      closedYet = true;
    });
    for (let i = 0; i < 20; i++) await Promise.resolve();
    assert.equal(closedYet, false, "close() waits for the module load in flight");
    release();
    await closing;
    const res = await app.fetch(new Request("http://localhost/a"));
    assert.equal(await res.text(), "a");
    for (let i = 0; i < 20; i++) await Promise.resolve(); // the preload chain's next steps
    assert.deepEqual(started, ["a"]);
  });
});
