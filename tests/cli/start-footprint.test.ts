// #6 (cold start): what `approute start` loads to serve. approute's runtime is bundled in layers
// (scripts/build-lib.mjs) so a server reads a handful of files, and nothing of the build tooling.
// A module-hooks file passed with --import records every ES module the real server loads; a route
// reports the CommonJS modules loaded so far (esbuild is CommonJS).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BIN, REPO, spawnServer, tempProject } from "../helpers/project.ts";

const HOOKS = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.APPROUTE_TEST_LOADED, url + "\\n");
  return next(url, context);
}
`;
const REGISTER = `import { register } from "node:module";
register(new URL("./hooks.mjs", import.meta.url));
`;

/**
 * Budget for the bytes of approute's own files a server loads (the two layers and the few modules
 * beside them: 352 kB when this budget was set). V8 compiles all of it at every start, so
 * growth past this is a cold-start regression to justify, not an accident (STYLE: budgets are tests).
 */
const START_BYTES_BUDGET = 420 * 1024;

/** Packages only `approute build` / `dev` use. */
const BUILD_TOOLING = ["esbuild", "acorn", "magic-string", "typescript"];

describe("what approute start loads (#6)", () => {
  const project = tempProject({
    "hooks.mjs": HOOKS,
    "register.mjs": REGISTER,
    "app/api/plain/route.ts": `import { createRequire } from "node:module";
import { NextResponse, type NextRequest } from "next/server";
import { headers } from "next/headers";
import { revalidateTag } from "next/cache";
export async function GET(request: NextRequest) {
  const commonjs = Object.keys(createRequire(import.meta.url).cache);
  return NextResponse.json({ commonjs, ua: (await headers()).get("user-agent"), tag: typeof revalidateTag, q: request.nextUrl.search });
}
`,
    "app/api/static/route.ts": `export const dynamic = "force-static";
export function GET() {
  return Response.json({ static: true });
}
`,
  });
  after(() => project.dispose());

  test("a few files of approute's runtime, one copy each, and no build tooling", async () => {
    const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(build.status, 0, build.stderr);
    const log = join(project.root, "loaded.txt");
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"], {
      env: {
        APPROUTE_TEST_LOADED: log,
        NODE_OPTIONS: `--import ${pathToFileURL(join(project.root, "register.mjs")).href}`,
      },
    });
    let commonjs: string[];
    try {
      const res = await fetch(`${server.url}/api/plain?x=1`, { headers: { "user-agent": "probe" } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { commonjs: string[]; ua: string; tag: string; q: string };
      assert.deepEqual([body.ua, body.tag, body.q], ["probe", "function", "?x=1"]);
      commonjs = body.commonjs;
      const cached = await fetch(`${server.url}/api/static`);
      assert.deepEqual(await cached.json(), { static: true });
    } finally {
      await server.stop();
    }
    const loaded = readFileSync(log, "utf8").split("\n").filter(Boolean);
    const repo = pathToFileURL(REPO).href;
    const ours = loaded.filter((url) => url.startsWith(repo) && !url.includes("/node_modules/"));
    // The layers are there, each once; what esbuild's code splitting would make ~35 files is ~17.
    for (const layer of ["dist/hub.js", "dist/hub-node.js"])
      assert.equal(ours.filter((url) => url === `${repo}${layer}`).length, 1, `${layer} loaded once`);
    assert.equal(new Set(ours).size, ours.length, "no file is loaded twice");
    assert.ok(ours.length <= 20, `approute files loaded by start: ${ours.length}\n${ours.join("\n")}`);
    const bytes = ours.reduce((sum, url) => sum + statSync(fileURLToPath(url)).size, 0);
    assert.ok(bytes > 100 * 1024, `the layers were measured (${bytes} bytes)`);
    assert.ok(
      bytes <= START_BYTES_BUDGET,
      `approute loads ${bytes} bytes at start, over the ${START_BYTES_BUDGET}-byte budget:\n${ours
        .map((url) => `${statSync(fileURLToPath(url)).size}\t${url.slice(repo.length)}`)
        .join("\n")}`,
    );
    // Bundled into the hub, not read from node_modules file by file.
    for (const name of ["devalue", "@edge-runtime/cookies", "urlpattern-polyfill"])
      assert.ok(
        !loaded.some((url) => url.includes(`/node_modules/${name}/`)),
        `${name} read from node_modules`,
      );
    for (const name of BUILD_TOOLING) {
      const pattern = `/node_modules/${name}/`;
      assert.ok(!loaded.some((url) => url.includes(pattern)), `${name} loaded (ESM) by start`);
      assert.ok(!commonjs.some((file) => file.includes(pattern)), `${name} loaded (CommonJS) by start`);
    }
  });
});
