// A build writes over the previous one in place and then removes what it did not write (#6): the
// output directory always ends exactly as a build into an empty directory leaves it, and a failed
// compile leaves it empty, as before.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";
import { buildProject, isApprouteError } from "approute";
import { tempProject } from "../helpers/project.ts";

const project = tempProject({
  "app/a/route.ts": `export function GET() { return Response.json({ a: 1 }); }`,
  "app/b/route.ts": `import { helper } from "../../lib/helper";
export function GET() { return Response.json({ b: helper() }); }`,
  "app/c/route.ts": `import { helper } from "../../lib/helper";
export function GET() { return Response.json({ c: helper() }); }`,
  "app/static/route.ts": `export const dynamic = "force-static";
export function GET() { return Response.json({ static: true }); }`,
  "lib/helper.ts": "export const helper = () => 42;\n",
});
after(() => project.dispose());

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }))
      if (entry.isDirectory()) walk(join(d, entry.name));
      else out.push(relative(dir, join(d, entry.name)));
  };
  walk(dir);
  return out.sort();
}

const outDir = join(project.root, ".approute", "server");
const build = () => buildProject({ root: project.root });
const fresh = async (name: string) => {
  const result = await buildProject({ root: project.root, outDir: join(project.root, ".approute", name) });
  return files(result.outDir);
};

test("a rebuild with fewer routes, no shared chunk and nothing prerendered leaves only its own files", async () => {
  await build();
  const first = files(outDir);
  assert.ok(first.includes("prerendered.mjs"));
  assert.ok(first.includes("route-3.mjs"));
  assert.equal(first.filter((f) => f.startsWith("chunks/") && f.endsWith(".mjs")).length, 2);
  assert.deepEqual(first, await fresh("fresh-1"));

  // One route left: nothing shared, nothing cached.
  project.remove("app/static");
  project.remove("app/b");
  project.remove("app/c");
  await build();
  const second = files(outDir);
  assert.deepEqual(second, ["entry.mjs", "manifest.json", "route-0.mjs", "route-0.mjs.map"]);
  assert.ok(!existsSync(join(outDir, "chunks")), "the emptied chunks directory goes too");
  assert.deepEqual(second, await fresh("fresh-2"));
});

test("a failed compile leaves the output directory empty", async () => {
  await build();
  project.write("app/broken/route.ts", "export function GET( { return 1; }\n");
  await assert.rejects(
    build(),
    (error: unknown) => isApprouteError(error) && error.code === "APR_COMPILE_FAILED",
  );
  assert.deepEqual(files(outDir), []);
  project.remove("app/broken");
});

test("a project reached through a symlink rebuilds in place without losing what it just wrote", async () => {
  const links = mkdtempSync(join(tmpdir(), "approute-link-"));
  try {
    const linked = join(links, "project");
    symlinkSync(project.root, linked, "dir");
    const buildLinked = () => buildProject({ root: linked });
    await buildLinked();
    project.write("app/y/route.ts", `export function GET() { return Response.json({ y: 1 }); }`);
    const result = await buildLinked();
    assert.deepEqual(files(result.outDir), await fresh("fresh-3"));
    assert.ok(existsSync(join(result.outDir, "entry.mjs")));
  } finally {
    rmSync(links, { recursive: true, force: true });
    project.remove("app/y");
  }
});
