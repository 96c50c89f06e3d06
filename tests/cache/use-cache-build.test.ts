// Build-time errors of the "use cache" transform (R96, R100; APR_INVALID_DIRECTIVE): each names the
// file, the line the user wrote (before TypeScript was stripped), the function and the fix.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { buildProject, isApprouteError } from "approute";
import { tempProject } from "../helpers/project.ts";

async function buildError(files: Record<string, string>) {
  const project = tempProject(files);
  try {
    await buildProject({ root: project.root, outDir: join(project.root, ".approute", "server") });
  } catch (error) {
    assert.ok(isApprouteError(error), `expected an ApprouteError, got ${error}`);
    return error;
  } finally {
    project.dispose();
  }
  assert.fail("the project should not build");
}

const typed = "type Row = { id: string; name: string };\ninterface Extra { a: number }\n\n";

test('R100 "use cache" directly on a route handler export', async () => {
  const error = await buildError({
    "app/api/route.ts": `${typed}export async function GET(): Promise<Response> {\n  "use cache";\n  return Response.json({});\n}\n`,
  });
  assert.equal(error.code, "APR_INVALID_DIRECTIVE");
  assert.match(error.message, /app\/api\/route\.ts:4/);
  assert.match(error.message, /route handler GET/);
  assert.match(error.hint ?? "", /helper/);
});

test("R100 file-level directive in a route file that exports GET through a specifier", async () => {
  const error = await buildError({
    "app/api/route.ts": `"use cache";\nconst handler = async () => Response.json({});\nexport { handler as GET };\n`,
  });
  assert.equal(error.code, "APR_INVALID_DIRECTIVE");
  assert.match(error.message, /route handler GET/);
});

test("a typo gets a did-you-mean", async () => {
  const error = await buildError({
    "app/api/route.ts": `import { get } from "../../lib/get";\nexport async function GET() { return Response.json(await get()); }\n`,
    "lib/get.ts": `${typed}export async function get(): Promise<Row[]> {\n  "use cahce";\n  return [];\n}\n`,
  });
  assert.equal(error.code, "APR_INVALID_DIRECTIVE");
  assert.match(error.message, /lib\/get\.ts:5/);
  assert.match(error.message, /Did you mean "use cache"\?/);
});

test("a misspelled handler kind gets a did-you-mean", async () => {
  const error = await buildError({
    "app/api/route.ts": `export async function GET() {\n  async function f() { "use cache: Remote"; return 1 }\n  return Response.json(await f());\n}\n`,
  });
  assert.match(error.message, /Did you mean "use cache: remote"\?/);
});

test("a non-async cached function names the function and line", async () => {
  const error = await buildError({
    "app/api/route.ts": `import { get } from "../../lib/get";\nexport async function GET() { return Response.json(get()); }\n`,
    "lib/get.ts": `${typed}export function get(): Row[] {\n  "use cache";\n  return [];\n}\n`,
  });
  assert.equal(error.code, "APR_INVALID_DIRECTIVE");
  assert.match(error.message, /"use cache" function get \(lib\/get\.ts:4\) must be async/);
  assert.match(error.hint ?? "", /async function get/);
});

test("a directive that is not the first statement is reported instead of ignored", async () => {
  const error = await buildError({
    "app/api/route.ts": `export async function GET() {\n  const load = async () => {\n    const x = 1;\n    "use cache";\n    return x;\n  };\n  return Response.json(await load());\n}\n`,
  });
  assert.equal(error.code, "APR_INVALID_DIRECTIVE");
  assert.match(error.message, /app\/api\/route\.ts:4/);
  assert.match(error.message, /not the first statement/);
});
