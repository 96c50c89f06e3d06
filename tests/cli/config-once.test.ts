// next.config is evaluated once per `approute build`, once per `approute start` and once per
// `approute dev` rebuild (#6). The config
// below appends a line to evals.log each time its module runs and each time its function is called,
// so the log counts evaluations; each value it returns is checked to have reached the part of the
// build that needs it (pageExtensions → the scan, cacheLife → typegen, env → the prerender).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { BIN, spawnServer, tempProject, until } from "../helpers/project.ts";

const CONFIG = `import { appendFileSync } from "node:fs";
// Outside what approute dev watches, so writing it does not itself trigger a rebuild.
const log = (line) => appendFileSync(new URL("./.approute/evals.log", import.meta.url), line + "\\n");
log("module");
export default function config(phase) {
  log(phase);
  return {
    pageExtensions: ["ts", "api.ts"],
    cacheLife: { blog: { stale: 60, revalidate: 600, expire: 3600 } },
    env: { FROM_CONFIG: "phase " + phase },
  };
}
`;

describe("next.config is evaluated once (#6)", () => {
  const project = tempProject({
    "next.config.mjs": CONFIG,
    // Prerendered at build (force-static): its body shows which evaluation the prerender used.
    "app/api/static/route.ts": `export const dynamic = "force-static";
export function GET() {
  return Response.json({ env: process.env.FROM_CONFIG ?? null });
}
`,
    "app/api/live/route.api.ts": `export function GET() {
  return Response.json({ env: process.env.FROM_CONFIG ?? null });
}
`,
    // Not a route unless pageExtensions lists "js".
    "app/api/ignored/route.js": "export function GET() { return new Response('ignored'); }\n",
  });
  after(() => project.dispose());
  const evals = () => readFileSync(join(project.root, ".approute/evals.log"), "utf8").trim().split("\n");

  test("approute build: one evaluation, used by the scan, typegen and the prerender", () => {
    const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(build.status, 0, build.stderr);
    assert.deepEqual(evals(), ["module", "phase-production-build"]);
    // pageExtensions reached the scan: two routes, route.js is not one (R1).
    assert.match(build.stdout, /built 2 routes/);
    // cacheLife reached typegen (R103).
    const types = readFileSync(join(project.root, ".approute/types/next.d.ts"), "utf8");
    assert.match(types, /CacheLifeProfile = [^;]*"blog";/);
  });

  test("approute start: one more evaluation, in the server phase; the prerender kept the build's", async () => {
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      const prerendered = await fetch(`${server.url}/api/static`);
      assert.deepEqual(await prerendered.json(), { env: "phase phase-production-build" });
      const live = await fetch(`${server.url}/api/live`);
      assert.deepEqual(await live.json(), { env: "phase phase-production-server" });
      assert.equal((await fetch(`${server.url}/api/ignored`)).status, 404);
    } finally {
      await server.stop();
    }
    assert.deepEqual(evals(), ["module", "phase-production-build", "module", "phase-production-server"]);
  });

  test("approute dev: one evaluation per rebuild, in the development phase", async () => {
    const before = evals().length;
    const server = await spawnServer(["dev", project.root, "-p", "0"]);
    try {
      const live = await fetch(`${server.url}/api/live`);
      assert.deepEqual(await live.json(), { env: "phase phase-development-server" });
      assert.deepEqual(evals().slice(before), ["module", "phase-development-server"]);
      // An edit rebuilds: the config is evaluated once more, not two or three times.
      project.write(
        "app/api/live/route.api.ts",
        "export function GET() { return Response.json({ edited: true }); }\n",
      );
      await until(async () => {
        const res = await fetch(`${server.url}/api/live`);
        return JSON.stringify(await res.json()) === '{"edited":true}';
      }, "the rebuild");
      assert.deepEqual(evals().slice(before), [
        "module",
        "phase-development-server",
        "module",
        "phase-development-server",
      ]);
    } finally {
      await server.stop();
    }
  });
});
