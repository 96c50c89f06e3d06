// The `react-server` export condition for packages route code imports (migration parity). EXPECTED
// is what `next build && next start` 16.4.6 (Turbopack) answers for this very project: rs-esm and
// rs-cjs (exports react-server → rs.js, node → node.js, default → default.js) answer "react-server",
// by `import` and by `require`, and through a subpath pattern whose file imports a package nested in
// rs-esm's own node_modules; rs-ext, listed in next.config serverExternalPackages, answers "node", as
// does a package without a react-server export. (--webpack answers the same for the root exports.)
// Checked through approute build + start (also after the project moved to another folder),
// approute dev and the --target worker bundle on workerd.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { BIN, spawnServer, tempProject } from "../helpers/project.ts";

function conditional(name: string, type: "module" | "commonjs"): Record<string, string> {
  const line = (which: string) =>
    type === "module" ? `export const which = "${which}";\n` : `exports.which = "${which}";\n`;
  return {
    [`node_modules/${name}/package.json`]: `${JSON.stringify({
      name,
      version: "1.0.0",
      type,
      exports: {
        ".": { "react-server": "./rs.js", node: "./node.js", default: "./default.js" },
        "./feature/*": { "react-server": "./features/*.rs.js", default: "./features/*.js" },
        "./package.json": "./package.json",
      },
    })}\n`,
    [`node_modules/${name}/rs.js`]: line("react-server"),
    [`node_modules/${name}/node.js`]: line("node"),
    [`node_modules/${name}/default.js`]: line("default"),
  };
}

const FILES: Record<string, string> = {
  "package.json": `${JSON.stringify({
    name: "app",
    private: true,
    dependencies: { "rs-esm": "1.0.0", "rs-cjs": "1.0.0", "rs-ext": "1.0.0", plain: "1.0.0" },
  })}\n`,
  "next.config.mjs": `export default { serverExternalPackages: ["rs-ext"] };\n`,
  ...conditional("rs-esm", "module"),
  ...conditional("rs-cjs", "commonjs"),
  ...conditional("rs-ext", "module"),
  // The react-server file imports a package only the package itself can see (nested node_modules):
  // the import stays external and Node resolves it from where the file is installed.
  "node_modules/rs-esm/features/flag.rs.js": `import { inner } from "inner";\nexport const flag = "react-server+" + inner;\n`,
  "node_modules/rs-esm/features/flag.js": `export const flag = "default";\n`,
  "node_modules/rs-esm/node_modules/inner/package.json": `{ "name": "inner", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n`,
  "node_modules/rs-esm/node_modules/inner/index.js": `export const inner = "inner";\n`,
  "node_modules/plain/package.json": `{ "name": "plain", "version": "1.0.0", "type": "module", "exports": { "node": "./node.js", "default": "./default.js" } }\n`,
  "node_modules/plain/node.js": `export const which = "node";\n`,
  "node_modules/plain/default.js": `export const which = "default";\n`,
  "app/esm/route.ts": `import { which } from "rs-esm";\nexport function GET() {\n  return Response.json({ which });\n}\n`,
  "app/cjs/route.ts": `const { which } = require("rs-cjs");\nexport function GET() {\n  return Response.json({ which });\n}\n`,
  "app/external/route.ts": `import { which } from "rs-ext";\nexport function GET() {\n  return Response.json({ which });\n}\n`,
  "app/subpath/route.ts": `import { flag } from "rs-esm/feature/flag";\nexport function GET() {\n  return Response.json({ flag });\n}\n`,
  "app/plain/route.ts": `import { which } from "plain";\nexport function GET() {\n  return Response.json({ which });\n}\n`,
};

const EXPECTED = {
  "/esm": { which: "react-server" },
  "/cjs": { which: "react-server" },
  "/external": { which: "node" },
  "/subpath": { flag: "react-server+inner" },
  "/plain": { which: "node" },
};

async function answers(url: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const path of Object.keys(EXPECTED)) {
    const res = await fetch(url + path);
    out[path] = res.status === 200 ? await res.json() : res.status;
  }
  return out;
}

describe("packages with a react-server export resolve as in Next's route handlers", () => {
  test("approute build + start, also after the project moved", async () => {
    const project = tempProject(FILES);
    const moved = join(tmpdir(), `approute-moved-${process.pid}-${Date.now()}`);
    try {
      const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
      assert.equal(build.status, 0, build.stderr);
      // A package imported by path is judged as by name: these never reach the request store.
      const manifest = JSON.parse(
        readFileSync(join(project.root, ".approute", "server", "manifest.json"), "utf8"),
      );
      const stores = Object.fromEntries(
        manifest.routes.map((r: { key: string; requestStore?: boolean }) => [
          r.key,
          r.requestStore !== false,
        ]),
      );
      assert.deepEqual(stores, {
        "/cjs": false,
        "/esm": false,
        "/external": false,
        "/plain": false,
        "/subpath": false,
      });
      const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
      try {
        assert.deepEqual(await answers(server.url), EXPECTED);
      } finally {
        await server.stop();
      }
      cpSync(project.root, moved, { recursive: true, verbatimSymlinks: true });
      project.dispose();
      const again = await spawnServer(["start", moved, "-p", "0", "-H", "127.0.0.1"]);
      try {
        assert.deepEqual(await answers(again.url), EXPECTED);
      } finally {
        await again.stop();
      }
    } finally {
      project.dispose();
      rmSync(moved, { recursive: true, force: true });
    }
  });

  test("approute dev", async () => {
    const project = tempProject(FILES);
    try {
      const server = await spawnServer(["dev", project.root, "-p", "0", "-H", "127.0.0.1"]);
      try {
        assert.deepEqual(await answers(server.url), EXPECTED);
      } finally {
        await server.stop();
      }
    } finally {
      project.dispose();
    }
  });

  test("approute build --target worker, on workerd", async () => {
    // Without the require() route: a build that requires an external path gets a `createRequire`
    // banner, which workerd cannot run (as before this feature).
    const { "app/cjs/route.ts": _, ...files } = FILES;
    const project = tempProject(files);
    try {
      const build = spawnSync(process.execPath, [BIN, "build", "--target", "worker", project.root], {
        encoding: "utf8",
      });
      assert.equal(build.status, 0, build.stderr);
      const { Miniflare } = await import("miniflare");
      const mf = new Miniflare({
        modules: true,
        scriptPath: join(project.root, ".approute", "worker", "index.mjs"),
        modulesRoot: join(project.root, ".approute", "worker"),
        compatibilityDate: "2025-09-01",
        compatibilityFlags: ["nodejs_compat"],
        host: "127.0.0.1",
        port: 0,
      });
      try {
        // The routes' own imports were pointed at the react-server files by the build; the worker
        // bundler takes the rest with its own conditions (no `node`), so only these are compared.
        const got = await answers((await mf.ready).origin);
        for (const path of ["/esm", "/subpath"] as const) assert.deepEqual(got[path], EXPECTED[path], path);
      } finally {
        await mf.dispose();
      }
    } finally {
      project.dispose();
    }
  });
});
