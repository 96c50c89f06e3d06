// What a route project written for Next imports and reads beyond next/* (migration parity), checked
// against `next build && next start` 16.4.6:
// - `import "server-only"` in a route or a helper it imports works whether the package is installed
//   or not (installed, its default entry throws; Next resolves it for server code to an empty module);
// - `import "client-only"` fails the build at the import (Next: "'client-only' cannot be imported
//   from a Server Component module");
// - `globalThis.AsyncLocalStorage` is the class from node:async_hooks.
// Each through `approute build` + `start`, `approute dev`, and the `--target worker` bundle on workerd.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { BIN, spawnServer, type TempProject, tempProject } from "../helpers/project.ts";

const ROUTES = {
  "lib/secret.ts": `import "server-only";\nexport const secret = "kept on the server";\n`,
  "app/direct/route.ts": `import "server-only";\nexport function GET() {\n  return Response.json({ direct: true });\n}\n`,
  "app/helper/route.ts": `import { secret } from "../../lib/secret";\nexport function GET() {\n  return Response.json({ secret });\n}\n`,
  "app/als/route.ts": `export function GET() {
  const g = globalThis as { AsyncLocalStorage?: { name: string } };
  return Response.json({ type: typeof g.AsyncLocalStorage, name: g.AsyncLocalStorage?.name });
}
`,
};

const EXPECTED = {
  "/direct": { direct: true },
  "/helper": { secret: "kept on the server" },
  "/als": { type: "function", name: "AsyncLocalStorage" },
};

/** The real package's shape: empty under `react-server`, a module that throws for everyone else. */
const INSTALLED = {
  "node_modules/server-only/package.json": `${JSON.stringify(
    {
      name: "server-only",
      version: "0.0.1",
      main: "index.js",
      exports: { ".": { "react-server": "./empty.js", default: "./index.js" } },
    },
    null,
    2,
  )}\n`,
  "node_modules/server-only/empty.js": "",
  "node_modules/server-only/index.js":
    'throw new Error("This module cannot be imported from a Client Component module.");\n',
};

async function answers(url: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const path of Object.keys(EXPECTED)) {
    const res = await fetch(url + path);
    out[path] = res.status === 200 ? await res.json() : res.status;
  }
  return out;
}

function runsEverywhere(label: string, files: Record<string, string>) {
  describe(label, () => {
    test("approute build + start", async () => {
      const project = tempProject(files);
      try {
        const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
        assert.equal(build.status, 0, build.stderr);
        const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
        try {
          assert.deepEqual(await answers(server.url), EXPECTED);
        } finally {
          await server.stop();
        }
      } finally {
        project.dispose();
      }
    });

    test("approute dev", async () => {
      const project = tempProject(files);
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
      const project = tempProject(files);
      try {
        await onWorkerd(project, async (url) => assert.deepEqual(await answers(url), EXPECTED));
      } finally {
        project.dispose();
      }
    });
  });
}

async function onWorkerd(project: TempProject, check: (url: string) => Promise<void>) {
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
    await check((await mf.ready).origin);
  } finally {
    await mf.dispose();
  }
}

runsEverywhere("server-only not installed", ROUTES);
runsEverywhere("server-only installed (its default entry throws)", { ...ROUTES, ...INSTALLED });

test("client-only imported by route code fails the build at the import, with APR_CLIENT_ONLY_IMPORT", () => {
  const project = tempProject({
    "lib/widget.ts": `// browser helpers\nimport "client-only";\nexport const widget = 1;\n`,
    "app/widget/route.ts": `import { widget } from "../../lib/widget";\nexport function GET() {\n  return Response.json({ widget });\n}\n`,
    "app/ok/route.ts": `export function GET() {\n  return Response.json({ ok: true });\n}\n`,
  });
  try {
    const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(build.status, 1);
    assert.match(
      build.stderr,
      /\[APR_CLIENT_ONLY_IMPORT\] lib\/widget\.ts:2:\d+: "client-only" cannot be imported/,
    );
    assert.match(
      build.stderr,
      /\nImport trace: lib\/widget\.ts ← app\/widget\/route\.ts\n/,
      "which route pulls it in",
    );
    assert.match(build.stderr, /at lib\/widget\.ts:2:8/);
    assert.match(build.stderr, /fix: Remove the "client-only" import/);
    assert.match(build.stderr, /> 2 \| import "client-only";/, "a code frame of the import");
  } finally {
    project.dispose();
  }
});
