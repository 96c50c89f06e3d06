// Typegen (R38–R41, D7): `approute typegen` writes the global RouteContext type from the route tree and
// types next/* as approute, and the TypeScript compiler enforces it on a project without Next installed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FIXTURES } from "../helpers/fixture.ts";
import { BIN, REPO, type TempProject, tempProject } from "../helpers/project.ts";

const TSC = join(REPO, "node_modules", "typescript", "bin", "tsc");
const GOLDEN = new URL("./routes.d.ts.golden", import.meta.url);

function approute(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
}

function tsc(root: string) {
  const result = spawnSync(process.execPath, [TSC, "--noEmit", "-p", root], { encoding: "utf8", cwd: root });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test("approute typegen --help", () => {
  const result = approute("typegen", "--help");
  assert.equal(result.status, 0);
  assert.match(result.stdout, /Usage: approute typegen \[dir\]/);
  assert.match(result.stdout, /RouteContext/);
});

describe("approute typegen on a project without next installed", () => {
  let project: TempProject;
  before(() => {
    project = tempProject({}, join(FIXTURES, "typegen"));
    const result = approute("typegen", project.root);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /wrote types for 5 routes/);
  });
  after(() => project.dispose());

  test("R39: routes.d.ts matches the golden file (groups dropped, private folders absent)", () => {
    const actual = readFileSync(join(project.root, ".approute/types/routes.d.ts"), "utf8");
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, actual);
    assert.equal(actual, readFileSync(GOLDEN, "utf8"));
    assert.ok(existsSync(join(project.root, "approute-env.d.ts")));
    assert.ok(!existsSync(join(project.root, "node_modules", "next")), "next must not be installed here");
  });

  test("R38/R41: correct RouteContext use and next/* imports type-check with no import of the type", () => {
    const { status, output } = tsc(project.root);
    assert.equal(status, 0, output);
  });

  test("a route that is not in the app is a type error naming the route", () => {
    project.write(
      "app/typo.ts",
      `export async function GET(_r: Request, ctx: RouteContext<"/users/[nope]">) {\n  return Response.json(await ctx.params);\n}\n`,
    );
    project.write(
      "app/missing.ts",
      `export async function GET(_r: Request, ctx: RouteContext<"/users/[id]">) {\n  const { nope } = await ctx.params;\n  return Response.json({ nope });\n}\n`,
    );
    try {
      const { status, output } = tsc(project.root);
      assert.notEqual(status, 0);
      assert.match(
        output,
        /app\/typo\.ts\(1,58\): error TS2344: Type '"\/users\/\[nope\]"' does not satisfy the constraint 'AppRouteHandlerRoutes'/,
      );
      assert.match(
        output,
        /app\/missing\.ts\(2,11\): error TS2339: Property 'nope' does not exist on type '\{ id: string; \}'/,
      );
      assert.equal(output.match(/error TS/g)?.length, 2, output);
    } finally {
      project.remove("app/typo.ts");
      project.remove("app/missing.ts");
    }
  });

  test("next/constants declares the PHASE_* names; next/cache the types and names of Next 16.4.6 (R117)", () => {
    project.write(
      "lib/phase.ts",
      `import { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_BUILD } from "next/constants";
import type { CacheEntry, CacheHandler, CacheLifeProfiles } from "next/cache";
import { navigation, prefetch, unstable_cacheLife, unstable_cacheTag } from "next/cache";
export const phases: ["phase-production-build", "phase-development-server"] = [PHASE_PRODUCTION_BUILD, PHASE_DEVELOPMENT_SERVER];
export type Cache = [CacheEntry, CacheHandler, CacheLifeProfiles];
export const deferred: Array<() => Promise<void>> = [navigation, prefetch];
export const aliases = [unstable_cacheLife, unstable_cacheTag];
`,
    );
    try {
      const { status, output } = tsc(project.root);
      assert.equal(status, 0, output);
    } finally {
      project.remove("lib/phase.ts");
    }
  });

  test("R103: cacheLife() takes the built-in and next.config profile names; a typo is a type error", () => {
    const next = readFileSync(join(project.root, ".approute/types/next.d.ts"), "utf8");
    assert.match(
      next,
      /export type CacheLifeProfile = "default" \| "seconds" \| "minutes" \| "hours" \| "days" \| "weeks" \| "max" \| "blog";/,
    );
    project.write(
      "lib/typo.ts",
      `import { cacheLife } from "next/cache";\nexport async function f() {\n  "use cache";\n  cacheLife("blgo");\n}\n`,
    );
    try {
      const { status, output } = tsc(project.root);
      assert.notEqual(status, 0);
      assert.match(
        output,
        /lib\/typo\.ts\(4,13\): error TS2345: Argument of type '"blgo"' is not assignable/,
      );
      assert.equal(output.match(/error TS/g)?.length, 1, output);
    } finally {
      project.remove("lib/typo.ts");
    }
  });

  test("fetch(url, { next: { revalidate, tags } }) type-checks; a wrong revalidate type is an error", () => {
    project.write(
      "lib/fetching.ts",
      `export async function load() {\n  await fetch("http://example.test/a", { cache: "force-cache", next: { tags: ["a"] } });\n  await fetch("http://example.test/b", { next: { revalidate: false } });\n  return fetch("http://example.test/c", { next: { revalidate: "60" } });\n}\n`,
    );
    try {
      const { status, output } = tsc(project.root);
      assert.notEqual(status, 0);
      assert.match(output, /lib\/fetching\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable/);
      assert.equal(output.match(/error TS/g)?.length, 1, output);
    } finally {
      project.remove("lib/fetching.ts");
    }
  });

  test("R37, R40: the validator rejects route exports that do not fit the handler contract (params as a plain object)", () => {
    project.write(
      "app/legacy/[id]/route.ts",
      `// Next 14 style: params as a plain object\nexport async function GET(_r: Request, ctx: { params: { id: string } }) {\n  return Response.json(ctx.params);\n}\n`,
    );
    project.write(
      "app/config/route.ts",
      `export const dynamic = "force-dynamc";\nexport function POST() {\n  return new Response("ok");\n}\n`,
    );
    try {
      assert.equal(approute("typegen", project.root).status, 0);
      const { status, output } = tsc(project.root);
      assert.notEqual(status, 0);
      const errors = output.split("\n").filter((l) => l.includes("error TS"));
      assert.equal(errors.length, 2, output);
      assert.match(
        output,
        /validator\.ts\(\d+,\d+\): error TS2344: Type 'typeof import\(".*app\/legacy\/\[id\]\/route"\)' does not satisfy the constraint/,
      );
      assert.match(output, /Types of property 'GET' are incompatible/);
      assert.match(
        output,
        /validator\.ts\(\d+,\d+\): error TS2344: Type 'typeof import\(".*app\/config\/route"\)' does not satisfy the constraint/,
      );
      assert.match(output, /Types of property 'dynamic' are incompatible/);
    } finally {
      project.remove("app/legacy");
      project.remove("app/config");
      approute("typegen", project.root);
    }
    assert.equal(tsc(project.root).status, 0, "clean again once the routes are gone");
  });

  test("without the generated reference file, next/server does not resolve (next is really absent)", () => {
    const env = readFileSync(join(project.root, "approute-env.d.ts"), "utf8");
    project.remove("approute-env.d.ts");
    try {
      const { status, output } = tsc(project.root);
      assert.notEqual(status, 0);
      assert.match(output, /Cannot find module 'next\/server'/);
      assert.match(output, /Cannot find name 'RouteContext'/);
    } finally {
      project.write("approute-env.d.ts", env);
    }
  });

  test("typegen again is a no-op when nothing changed, and follows added routes", () => {
    const file = join(project.root, ".approute/types/routes.d.ts");
    const before = readFileSync(file, "utf8");
    assert.equal(approute("typegen", project.root).status, 0);
    assert.equal(readFileSync(file, "utf8"), before);
    project.write(
      "app/(admin)/audit/[day]/route.ts",
      "export function GET() { return new Response('ok'); }\n",
    );
    try {
      assert.equal(approute("typegen", project.root).status, 0);
      assert.match(readFileSync(file, "utf8"), /"\/audit\/\[day\]": \{ "day": string; \};/);
    } finally {
      project.remove("app/(admin)");
      approute("typegen", project.root);
    }
  });
});

test("the examples type-check against their generated types", () => {
  const examples = join(REPO, "examples");
  const result = approute("typegen", examples);
  assert.equal(result.status, 0, result.stderr);
  const { status, output } = tsc(examples);
  assert.equal(status, 0, output);
});
