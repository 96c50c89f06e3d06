// Build errors (R9, R10, segment rules): each has a stable code, names the files and says how to fix it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildProject, isApprouteError } from "approute";
import { FIXTURES } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";

async function buildError(name: string) {
  try {
    await buildProject({
      root: join(FIXTURES, name),
      outDir: join(FIXTURES, name, ".approute", "test-build"),
    });
  } catch (error) {
    assert.ok(isApprouteError(error), `expected an ApprouteError, got ${error}`);
    return error;
  }
  assert.fail(`${name} should not build`);
}

test("R10: two files resolving to one URL via route groups", async () => {
  const error = await buildError("conflict-groups");
  assert.equal(error.code, "APR_ROUTE_CONFLICT");
  assert.match(error.message, /app\/\(a\)\/x\/route\.ts/);
  assert.match(error.message, /app\/\(b\)\/x\/route\.ts/);
  assert.match(error.message, /\/x/);
  assert.ok(error.hint);
});

test("R10: sibling dynamic folders with different names", async () => {
  const error = await buildError("conflict-names");
  assert.equal(error.code, "APR_ROUTE_CONFLICT");
  assert.match(error.message, /\[id\]/);
  assert.match(error.message, /\[slug\]/);
  assert.match(error.message, /app\/a\/\[id\]\/x\/route\.ts/);
  assert.match(error.message, /app\/a\/\[slug\]\/y\/route\.ts/);
  assert.match(error.hint ?? "", /same parameter name/);
});

test("R9: a page and a route at the same URL", async () => {
  const error = await buildError("conflict-page");
  assert.equal(error.code, "APR_ROUTE_CONFLICT");
  assert.match(error.message, /page\.tsx/);
});

test("an optional catch-all next to its parent route", async () => {
  const error = await buildError("conflict-optional");
  assert.equal(error.code, "APR_ROUTE_CONFLICT");
  assert.match(error.message, /\[\[\.\.\.rest\]\]/);
});

test("a catch-all folder that is not last", async () => {
  const error = await buildError("bad-segment");
  assert.equal(error.code, "APR_INVALID_SEGMENT");
});

test("a compile error names file and line", async () => {
  const error = await buildError("compile-error");
  assert.equal(error.code, "APR_COMPILE_FAILED");
  assert.match(error.message, /app\/api\/broken\/route\.ts:3/);
  assert.equal(error.location?.file, "app/api/broken/route.ts");
});

test("the CLI exits 1 with the code and files on a conflict", () => {
  const bin = new URL("../../bin/approute.js", import.meta.url).pathname;
  const result = spawnSync(process.execPath, [bin, "build", join(FIXTURES, "conflict-groups")], {
    encoding: "utf8",
  });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /APR_ROUTE_CONFLICT/);
  assert.match(result.stderr, /app\/\(a\)\/x\/route\.ts/);
  assert.match(result.stderr, /fix:/);
});

test("a next/* module approute does not provide fails the build at its import; the provided ones build", async () => {
  const project = tempProject({
    "app/known/route.ts": `import { NextResponse } from "next/server";
import { cookies } from "next/headers.js";
import { notFound } from "next/navigation";
import { revalidateTag } from "next/cache";
export function GET() { return NextResponse.json([typeof cookies, typeof notFound, typeof revalidateTag]); }
`,
    "app/image/route.ts": `export const dynamic = "force-dynamic";
import Image from "next/image";
export function GET() { return Response.json({ image: typeof Image }); }
`,
  });
  try {
    await assert.rejects(
      buildProject({ root: project.root, outDir: join(project.root, ".approute", "test-build") }),
      (error: unknown) => {
        assert.ok(isApprouteError(error));
        assert.equal(error.code, "APR_COMPILE_FAILED");
        assert.match(
          error.message,
          /app\/image\/route\.ts:2:\d+: "next\/image" is not available in approute/,
        );
        return true;
      },
    );
    rmSync(join(project.root, "app", "image"), { recursive: true });
    const built = await buildProject({
      root: project.root,
      outDir: join(project.root, ".approute", "test-build"),
    });
    const chunk = readFileSync(join(built.outDir, built.manifest.routes[0]!.chunk), "utf8");
    for (const module of ["server", "headers", "navigation", "cache"])
      assert.match(chunk, new RegExp(`from "approute/${module}"`));
    assert.doesNotMatch(chunk, /from "next/);
  } finally {
    project.dispose();
  }
});
