// Route segment config at build (R79, R81, R86–R90): invalid values and request-data reads that
// fail the build name the file and the export or the property; accepted hints build and serve.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { buildProject, isApprouteError, loadBuild } from "approute";
import { startFixture } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";

const projects: Array<{ dispose(): void }> = [];
after(() => {
  for (const p of projects) p.dispose();
});

async function buildError(files: Record<string, string>) {
  const project = tempProject(files);
  projects.push(project);
  try {
    await buildProject({ root: project.root });
  } catch (error) {
    assert.ok(isApprouteError(error), `expected an ApprouteError, got ${error}`);
    return error;
  }
  assert.fail("the project should not build");
}

const get = "export function GET() { return Response.json({ ok: true }); }\n";

describe("segment config errors (APR_INVALID_SEGMENT_CONFIG)", () => {
  const cases: Array<[string, string, RegExp]> = [
    ['export const dynamic = "static";', "dynamic", /"auto", "force-dynamic", "error", "force-static"/],
    ["export const revalidate = -1;", "revalidate", /false, 0 or a positive number/],
    ['export const revalidate = "60";', "revalidate", /received "60"/],
    ['export const dynamicParams = "no";', "dynamicParams", /true or false/],
    ['export const fetchCache = "always";', "fetchCache", /"force-no-store"/],
    ['export const runtime = "deno";', "runtime", /"nodejs" or "edge"/],
    ["export const maxDuration = 0;", "maxDuration", /positive number of seconds/],
    ["export const preferredRegion = 5;", "preferredRegion", /region/],
    ["export const generateStaticParams = [];", "generateStaticParams", /function/],
  ];
  for (const [line, name, expected] of cases) {
    test(`R88: ${line}`, async () => {
      const error = await buildError({ "app/api/x/route.ts": `${line}\n${get}` });
      assert.equal(error.code, "APR_INVALID_SEGMENT_CONFIG");
      assert.match(error.message, /app\/api\/x\/route\.ts/);
      assert.match(error.message, new RegExp(`export const ${name}\\b`));
      assert.match(error.message, expected);
      assert.ok(error.hint);
    });
  }

  test("R89: cacheComponents forbids revalidate", async () => {
    const error = await buildError({
      "next.config.mjs": "export default { cacheComponents: true };\n",
      "app/api/x/route.ts": `export const revalidate = 60;\n${get}`,
    });
    assert.equal(error.code, "APR_INVALID_SEGMENT_CONFIG");
    assert.match(
      error.message,
      /"revalidate" in app\/api\/x\/route\.ts is not compatible with `nextConfig\.cacheComponents`/,
    );
  });
});

describe('output: "export" (R156), as next build 16.4.6 reports it', () => {
  const exportConfig = { "next.config.mjs": 'export default { output: "export" };\n' };

  test("a force-dynamic route fails the build", async () => {
    const error = await buildError({
      ...exportConfig,
      "app/api/x/route.ts": `export const dynamic = "force-dynamic";\n${get}`,
    });
    assert.equal(error.code, "APR_INVALID_SEGMENT_CONFIG");
    assert.match(
      error.message,
      /"force-dynamic"` in app\/api\/x\/route\.ts cannot be used with .*output: "export"/,
    );
  });

  test("a GET that is not static fails the build; static ones build", async () => {
    const error = await buildError({ ...exportConfig, "app/api/x/route.ts": get });
    assert.equal(error.code, "APR_INVALID_SEGMENT_CONFIG");
    assert.match(error.message, /GET of app\/api\/x\/route\.ts is not static/);
    const project = tempProject({
      ...exportConfig,
      "app/a/route.ts": `export const dynamic = "force-static";\n${get}`,
      "app/b/route.ts": `export const revalidate = 60;\n${get}`,
      "app/c/route.ts": "export function POST() { return new Response('posted'); }\n",
    });
    try {
      const fx = await startFixture("", { root: project.root });
      try {
        assert.equal((await fetch(`${fx.url}/a`)).headers.get("x-nextjs-cache"), "HIT");
        assert.equal(await (await fetch(`${fx.url}/c`, { method: "POST" })).text(), "posted");
      } finally {
        await fx.close();
      }
    } finally {
      project.dispose();
    }
  });
});

describe("prerender errors at build", () => {
  test('R79: dynamic = "error" reading request.headers fails the build naming the property', async () => {
    const error = await buildError({
      "app/api/x/route.ts": `export const dynamic = "error";
export function GET(request: Request) { return Response.json({ ua: request.headers.get("user-agent") }); }
`,
    });
    assert.equal(error.code, "APR_DYNAMIC_USAGE");
    assert.match(
      error.message,
      /Route \/api\/x with `dynamic = "error"` couldn't be rendered statically because it used `request\.headers`/,
    );
    assert.equal(error.location?.file, "app/api/x/route.ts");
  });

  test('R79: dynamic = "error" calling cookies() fails the build', async () => {
    const error = await buildError({
      "app/api/x/route.ts": `import { cookies } from "next/headers";
export const dynamic = "error";
export async function GET() { return Response.json((await cookies()).getAll()); }
`,
    });
    assert.equal(error.code, "APR_DYNAMIC_USAGE");
    assert.match(error.message, /`cookies\(\)`/);
  });

  test("a GET that throws while prerendered fails the build with its message", async () => {
    const error = await buildError({
      "app/api/x/route.ts": `export const revalidate = 60;
export function GET() { throw new Error("database unreachable"); }
`,
    });
    assert.equal(error.code, "APR_PRERENDER_FAILED");
    assert.match(error.message, /\/api\/x \(app\/api\/x\/route\.ts\) failed: database unreachable/);
  });

  test("R82: generateStaticParams returning the wrong shape names the file and the param", async () => {
    const error = await buildError({
      "app/api/[id]/route.ts": `export function generateStaticParams() { return [{ slug: "a" }]; }
${get}`,
    });
    assert.equal(error.code, "APR_PRERENDER_FAILED");
    assert.match(
      error.message,
      /generateStaticParams in app\/api\/\[id\]\/route\.ts returned an entry without a string "id"/,
    );
  });
});

describe("accepted segment config", () => {
  test("R86, R87, R88: runtime edge, maxDuration, preferredRegion and unknown exports load and serve", async () => {
    const project = tempProject({
      "app/api/x/route.ts": `export const runtime = "edge";
export const maxDuration = 5;
export const preferredRegion = ["iad1", "fra1"];
export const fetchCache = "default-no-store";
export const foo = 1;
${get}`,
    });
    projects.push(project);
    await buildProject({ root: project.root });
    const { app } = await loadBuild(project.root);
    const res = await app.fetch(new Request("http://localhost/api/x"));
    assert.deepEqual(await res.json(), { ok: true });
    assert.equal(res.headers.get("x-nextjs-cache"), null);
    await app.close();
  });

  test("R90: with cacheComponents a GET that reads nothing is prerendered; one that reads headers() is dynamic", async () => {
    const project = tempProject({
      "next.config.mjs": "export default { cacheComponents: true };\n",
      "app/api/constant/route.ts": "export function GET() { return Response.json({ v: 1 }); }\n",
      "app/api/ua/route.ts": `import { headers } from "next/headers";
export async function GET() { return Response.json({ ua: (await headers()).get("user-agent") }); }
`,
    });
    projects.push(project);
    const result = await buildProject({ root: project.root });
    const byFile = Object.fromEntries(result.manifest.routes.map((r) => [r.file, r.cache]));
    assert.deepEqual(byFile["app/api/constant/route.ts"], { mode: "static", paths: ["/api/constant"] });
    assert.equal(byFile["app/api/ua/route.ts"]?.mode, "dynamic");
    const { app } = await loadBuild(project.root);
    const constant = await app.fetch(new Request("http://localhost/api/constant"));
    assert.equal(constant.headers.get("x-nextjs-cache"), "HIT");
    const ua = await app.fetch(new Request("http://localhost/api/ua", { headers: { "user-agent": "t/1" } }));
    assert.deepEqual(await ua.json(), { ua: "t/1" });
    await app.close();
  });

  test("the { fetch } entry serves prerendered responses from the generated module (no fs at request time)", async () => {
    const project = tempProject({
      "app/api/s/route.ts": `export const dynamic = "force-static";
export function GET() { return new Response(new Uint8Array([0, 255, 1]), { headers: { "content-type": "application/octet-stream" } }); }
`,
    });
    projects.push(project);
    const result = await buildProject({ root: project.root });
    const generated = readFileSync(join(result.outDir, "prerendered.mjs"), "utf8");
    assert.match(generated, /"base64":"AP8B"/);
    const entry = await import(`${pathToFileURL(result.entry).href}?fetch-entry`);
    const res: Response = await entry.default.fetch(new Request("http://localhost/api/s"));
    assert.equal(res.headers.get("x-nextjs-cache"), "HIT");
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer())], [0, 255, 1]);
    await entry.app.close();
  });
});
