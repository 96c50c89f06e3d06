// A package route code imports but that is not installed fails `approute build` at the import with
// APR_MODULE_NOT_FOUND, as `next build` fails with "Module not found" (migration parity; before, Node's
// ERR_MODULE_NOT_FOUND came out with a stack into the build output). Optional dependencies, loaded
// with import() or require() inside a try, are left alone. Under `approute dev` such a route fails
// alone (500) and the others are served; the same for a route that imports client-only.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { BIN, spawnServer, tempProject, until } from "../helpers/project.ts";

test("approute build names each import of a package that is not installed", () => {
  const project = tempProject({
    "app/a/route.ts": `// needs a package\nimport { thing } from "not-installed-pkg/sub";\nexport function GET() {\n  return Response.json({ thing });\n}\n`,
    "lib/trace.ts": `import { trace } from "@opentelemetry/api";\nexport const tracer = trace.getTracer("app");\n`,
    "app/b/route.ts": `import { tracer } from "../../lib/trace";\nexport function GET() {\n  return Response.json({ t: typeof tracer });\n}\n`,
    "app/og/route.ts": `import { ImageResponse } from "@vercel/og";\nexport function GET() {\n  return Response.json({ t: typeof ImageResponse });\n}\n`,
  });
  try {
    const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(build.status, 1);
    assert.match(
      build.stderr,
      /\[APR_MODULE_NOT_FOUND\] app\/a\/route\.ts:2:23: Package "not-installed-pkg" is imported but not installed\./,
    );
    assert.match(build.stderr, /fix: Install it \(npm install not-installed-pkg\), or remove the import\./);
    // Every missing import is listed, with its place.
    assert.match(
      build.stderr,
      /Package "@opentelemetry\/api" is imported but not installed\.\n\n\s+lib\/trace\.ts:1:/,
    );
    assert.match(build.stderr, /Next\.js uses a copy of its own when the project does not install it/);
    assert.match(build.stderr, /npm install @opentelemetry\/api/);
    // next build 16.4.6 builds both without the packages (it carries copies of its own).
    assert.match(build.stderr, /Next\.js maps it to a copy of its own \(the ImageResponse of next\/og\)/);
    assert.match(build.stderr, /npm install @vercel\/og/);
    assert.doesNotMatch(build.stderr, /ERR_MODULE_NOT_FOUND/);
  } finally {
    project.dispose();
  }
});

test("optional packages loaded with import() or require() in a try do not fail the build", async () => {
  const project = tempProject({
    "app/optional/route.ts": `export async function GET() {
  let fromImport = "absent";
  try {
    fromImport = (await import("optional-missing-a")).name;
  } catch {}
  let fromRequire = "absent";
  try {
    fromRequire = require("optional-missing-b").name;
  } catch {}
  return Response.json({ fromImport, fromRequire });
}
`,
  });
  try {
    const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(build.status, 0, build.stderr);
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      const res = await fetch(`${server.url}/optional`);
      assert.deepEqual(await res.json(), { fromImport: "absent", fromRequire: "absent" });
    } finally {
      await server.stop();
    }
  } finally {
    project.dispose();
  }
});

test("approute dev: a route with a missing package or a client-only import fails alone", async () => {
  const project = tempProject({
    "app/ok/route.ts": `export function GET() {\n  return Response.json({ ok: true });\n}\n`,
    "app/missing/route.ts": `import { thing } from "not-installed-pkg";\nexport function GET() {\n  return Response.json({ thing });\n}\n`,
    "app/browser/route.ts": `import "client-only";\nexport function GET() {\n  return Response.json({ browser: true });\n}\n`,
  });
  try {
    const server = await spawnServer(["dev", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      const ok = await fetch(`${server.url}/ok`);
      assert.deepEqual(await ok.json(), { ok: true });
      assert.equal((await fetch(`${server.url}/missing`)).status, 500);
      assert.equal((await fetch(`${server.url}/browser`)).status, 500);
      await until(
        async () => /"client-only" cannot be imported/.test(server.output()),
        "the client-only error",
      );
      const out = server.output();
      assert.match(
        out,
        /Compile error in app\/missing\/route\.ts:\n.*Package "not-installed-pkg" is imported but not installed/,
      );
      assert.match(
        out,
        /Compile error in app\/browser\/route\.ts:\n.*"client-only" cannot be imported by route code/,
      );
    } finally {
      await server.stop();
    }
  } finally {
    project.dispose();
  }
});
