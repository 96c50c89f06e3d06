// The build report (issue #5): after `approute build`, a route table (path, kind, methods, size),
// warnings with file:line and a code frame, and the total time; plain text when not on a TTY.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { BIN, type TempProject, tempProject } from "../helpers/project.ts";

describe("approute build report", () => {
  let project: TempProject;
  let stdout = "";
  let stderr = "";
  before(() => {
    project = tempProject({
      "app/api/items/route.ts": `export function GET() { return Response.json([]); }\nexport async function POST(r: Request) { return Response.json(await r.json(), { status: 201 }); }\n`,
      "app/api/items/[id]/route.ts": `export function GET() { return new Response("x"); }\nexport function PATCH() { return new Response("x"); }\nexport function DELETE() { return new Response(null, { status: 204 }); }\n`,
      "app/(ops)/health/route.ts": `export const HEAD = () => new Response(null);\nexport function GET() { return new Response("ok"); }\nexport const helper = 1;\n`,
      "app/api/warn/route.ts": `export function GET() {\n  const o = { a: 1, a: 2 };\n  return Response.json(o);\n}\n`,
    });
    const result = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    stdout = result.stdout;
    stderr = result.stderr;
  });
  after(() => project.dispose());

  function row(path: string): string {
    const line = stdout.split("\n").find((l) => l.includes(` ${path} `));
    assert.ok(line, `no row for ${path} in:\n${stdout}`);
    return line;
  }

  test("one row per route, sorted, with kind, methods (export order ignored) and size", () => {
    assert.match(stdout, /Route\s+Kind\s+Methods\s+Size/);
    assert.match(row("/api/items"), /^┌ ƒ \/api\/items\s+dynamic\s+GET, POST\s+\d+ B$/);
    assert.match(row("/api/items/[id]"), /^├ ƒ \/api\/items\/\[id\]\s+dynamic\s+GET, PATCH, DELETE\s+\d+ B$/);
    assert.match(row("/api/warn"), /dynamic\s+GET\s+\d+ B$/);
    assert.match(
      row("/health"),
      /^└ ƒ \/health\s+dynamic\s+GET, HEAD\s+\d+ B$/,
      "groups dropped, non-methods left out",
    );
    const order = ["/api/items ", "/api/items/[id]", "/api/warn", "/health"].map((p) => stdout.indexOf(p));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
  });

  test("warnings name file:line with a code frame; summary has the count and time", () => {
    assert.match(stdout, /Duplicate key "a" in object literal/);
    assert.match(stdout, /app\/api\/warn\/route\.ts:2:\d+/);
    assert.match(stdout, /const o = \{ a: 1, a: 2 \};/);
    assert.match(stdout, /✓ built 4 routes, 1 warning in \d+ ms → /);
  });

  test("not a TTY: no colour codes, progress as plain lines on stderr", () => {
    assert.ok(!stdout.includes("\u001b["), "no ANSI escapes");
    assert.match(stderr, /^approute: scanning routes$/m);
    assert.match(stderr, /^approute: compiling 4 routes$/m);
  });
});

test("a build error names file:line, the fix, and shows a code frame", () => {
  const project = tempProject({
    "app/x/route.ts": `import { NextResponse } from "next/server";\n\nfunction stamp() {\n  "use cache";\n  return Date.now();\n}\n\nexport function GET() {\n  return NextResponse.json({ at: stamp() });\n}\n`,
  });
  try {
    const result = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /approute build failed:\n\[APR_INVALID_DIRECTIVE\] .*app\/x\/route\.ts:3/);
    assert.match(result.stderr, /fix: /);
    assert.match(result.stderr, /> 3 \| function stamp\(\) \{\n\s+\| \^\n\s+4 \|\s+"use cache";/);
  } finally {
    project.dispose();
  }
});

test("kinds come from segment config and the prerender: static, revalidate Ns, dynamic", () => {
  const project = tempProject({
    "app/s/route.ts": `export const dynamic = "force-static";\nexport function GET() {\n  return Response.json({ t: 1 });\n}\n`,
    "app/isr/route.ts": `export const revalidate = 60;\nexport function GET() {\n  return Response.json({ t: 2 });\n}\n`,
    "app/d/route.ts": `import { cookies } from "next/headers";\nexport async function GET() {\n  return Response.json({ n: (await cookies()).size });\n}\n`,
  });
  try {
    const result = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    const line = (path: string) => result.stdout.split("\n").find((l) => l.includes(` ${path} `)) ?? "";
    assert.match(line("/s"), /○ \/s\s+static\s+GET/);
    assert.match(line("/isr"), /◐ \/isr\s+revalidate 60s\s+GET/);
    assert.match(line("/d"), /ƒ \/d\s+dynamic\s+GET/);
    assert.match(result.stderr, /^approute: prerendering cached GETs$/m);
  } finally {
    project.dispose();
  }
});
