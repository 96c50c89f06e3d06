// The request-store analysis reads emitted chunks with a quick scan and parses them in full only when
// the scan cannot tell (#6). The scan must agree with the full parse wherever it answers: these
// samples are laid out as esbuild prints chunks, plus the traps (names in comments, strings and
// templates, statements the scan does not take apart) that must send it to the full parse.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseOutput, scanOutput } from "./store-usage.js";

type Parsed = NonNullable<ReturnType<typeof parseOutput>>;

function shape(parsed: Parsed) {
  return {
    imports: [...parsed.imports],
    sideEffects: parsed.sideEffects,
    passThrough: [...parsed.passThrough].sort(),
    star: parsed.star,
  };
}

/** The scan's answers, checked against the full parse; returns them for the test's own checks. */
function agree(source: string): { scanned: boolean; used: Record<string, boolean | undefined> } {
  const full = parseOutput(source);
  const quick = scanOutput(source);
  if (quick === undefined) return { scanned: false, used: {} };
  assert.ok(full, "the full parse understands every file the scan reads");
  assert.deepEqual(shape(quick), shape(full));
  const used: Record<string, boolean | undefined> = {};
  for (const local of full.imports.keys()) {
    used[local] = quick.isUsed(local);
    if (used[local] !== undefined) assert.equal(used[local], full.isUsed(local), `use of ${local}`);
  }
  return { scanned: true, used };
}

const ROUTE = `import {
  Response
} from "./chunks/chunk-EVPYDSK7.mjs";

// app/api/cookies/route.ts
import { NextResponse } from "approute/server";
import { cookies, headers as readHeaders } from "approute/headers";
async function GET(request) {
  const jar = await cookies();
  return NextResponse.json({ q: request.nextUrl.searchParams.get("q"), seen: jar.has("seen") });
}
export {
  GET
};
//# sourceMappingURL=route-0.mjs.map
`;

test("an esbuild route chunk is read without a full parse, names in path comments do not count", () => {
  const { scanned, used } = agree(ROUTE);
  assert.ok(scanned);
  assert.deepEqual(used, { Response: false, NextResponse: true, cookies: true, readHeaders: false });
});

test("a shared chunk: pass-through exports, side-effect imports, default and namespace imports", () => {
  const source = `// approute-inject:approute:inject-response
import { Response } from "approute/internal/globals";
import "./chunk-SIDE.mjs";
import {} from "./chunk-EMPTY.mjs";
import def, * as ns from "pkg";
import other, { a as b, default as c } from 'pkg2';
export * from "approute/navigation";
export { x as y, z } from "./chunk-X.mjs";

// lib/util.ts
var helper = () => ns.run(b);

export {
  Response,
  helper,
  c as renamed
};
//# sourceMappingURL=chunk-A.mjs.map
`;
  const { scanned, used } = agree(source);
  assert.ok(scanned);
  assert.deepEqual(used, { Response: false, def: false, ns: true, other: false, b: true, c: false });
});

test("names in strings count as used; names that may sit in a comment go to the full parse", () => {
  const inString = `import { cookies } from "approute/headers";\nvar s = "cookies";\nexport {\n  s\n};\n`;
  assert.deepEqual(agree(inString).used, { cookies: true });
  // Only in a comment the scan cannot delimit without tokenising: it does not answer.
  for (const code of [
    `var s = 1; /* cookies */`,
    `var s = 1; // cookies`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the sample is source text with a template
    "var s = `\n// ${cookies}`;",
    'var s = "a\\\n// cookies";',
    'var s = "https://example.com"; // cookies',
  ]) {
    const source = `import { cookies } from "approute/headers";\n${code}\nexport {\n  s\n};\n`;
    assert.equal(agree(source).used.cookies, undefined, code);
  }
  // …but a name that is not there at all is unused whatever the comments.
  const absent = `import { cookies } from "approute/headers";\nvar u = "https://example.com"; /* x */\nexport {\n  u\n};\n`;
  assert.deepEqual(agree(absent).used, { cookies: false });
});

test("statements the scan does not take apart send the file to the full parse", () => {
  for (const source of [
    `import { a } from "x";\nvar b = a;\nimport { c } from "y";\nexport {\n  b\n};\n`,
    `import { a } from "x";\nexport * as ns from "y";\n`,
    `import { a } from "x";\nexport const b = a;\n`,
    `import { a } from "x";\nvar b = a;\nexport { b };\nvar c = 1;\n`,
    `import json from "./data.json" with { type: "json" };\nexport {\n  json\n};\n`,
    `import { "a-b" as a } from "x";\nexport {\n  a\n};\n`,
    `#!/usr/bin/env node\nimport { a } from "x";\n`,
    `import /* c */ { a } from "x";\nexport {\n  a\n};\n`,
    `import { a } from "x";\nvar s = \`\nexport { a };\n\`;\n`,
  ])
    assert.equal(agree(source).scanned, false, source);
});

test("dynamic import and import.meta are code, not declarations", () => {
  const source = `import { a } from "x";\nvar m = () => import("./chunk-B.mjs");\nvar u = import.meta.url;\nvar b = a;\nexport {\n  b,\n  m,\n  u\n};\n`;
  const { scanned, used } = agree(source);
  assert.ok(scanned);
  assert.deepEqual(used, { a: true });
});
