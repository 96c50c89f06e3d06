// The build proves, per route, whether its code can reach the request store; routes that cannot are
// called without entering AsyncLocalStorage (#6). The analysis must stay conservative: every route
// below that needs the store still gets it, which the HTTP checks prove.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";

let project: TempProject;
let fx: FixtureServer;
let stores: Record<string, boolean>;

before(async () => {
  project = tempProject({
    "app/plain/route.ts": `export function GET() { return Response.json({ ok: true }); }`,
    // References fetch (bound to the data-cache wrapper): keeps the store, and must not drag the
    // Response-only routes that share the injected bindings' chunk with it.
    "app/uses-fetch/route.ts": `export function GET() { return Response.json({ fetch: typeof fetch }); }`,
    "app/next-response/route.ts": `import { NextResponse, type NextRequest } from "next/server";
      export function GET(request: NextRequest) {
        return NextResponse.json({ visits: request.cookies.get("visits")?.value ?? null });
      }`,
    "app/navigation/route.ts": `import { notFound } from "next/navigation";
      export function GET() { notFound(); }`,
    "app/cookies/route.ts": `import { cookies } from "next/headers";
      export async function GET() { return Response.json({ visits: (await cookies()).get("visits")?.value }); }`,
    "app/after/route.ts": `import { after, NextResponse } from "next/server";
      export function GET() { after(() => {}); return NextResponse.json({ after: true }); }`,
    "app/namespace/route.ts": `import * as server from "next/server";
      export function GET() { return server.NextResponse.json({ ns: true }); }`,
    "app/helper/route.ts": `import { visits } from "../../lib/session";
      export async function GET() { return Response.json({ visits: await visits() }); }`,
    "lib/session.ts": `import { headers } from "next/headers";
      export async function visits() { return (await headers()).get("x-visits"); }`,
    "app/cached/route.ts": `async function load(id: string) { "use cache"; return { id }; }
      export async function GET() { return Response.json(await load("a")); }`,
    "app/revalidate/route.ts": `import { revalidateTag } from "next/cache";
      export function POST() { revalidateTag("t", "max"); return Response.json({ ok: true }); }`,
    "app/plain-package/route.ts": `import { twice } from "plain-lib";
      export function GET() { return Response.json({ n: twice(2) }); }`,
    "app/approute-package/route.ts": `import { readVisits } from "approute-lib";
      export async function GET() { return Response.json({ visits: await readVisits() }); }`,
    "node_modules/plain-lib/package.json": JSON.stringify({
      name: "plain-lib",
      type: "module",
      main: "index.js",
    }),
    "node_modules/plain-lib/index.js": "export const twice = (n) => n * 2;\n",
    "node_modules/approute-lib/package.json": JSON.stringify({
      name: "approute-lib",
      type: "module",
      main: "index.js",
      peerDependencies: { approute: "*" },
    }),
    "node_modules/approute-lib/index.js": `import { cookies } from "approute/headers";
      export async function readVisits() { return (await cookies()).get("visits")?.value; }\n`,
  });
  fx = await startFixture("store-usage", { root: project.root });
  const manifest = JSON.parse(readFileSync(join(fx.outDir, "manifest.json"), "utf8")) as {
    routes: Array<{ key: string; requestStore?: boolean }>;
  };
  stores = Object.fromEntries(manifest.routes.map((r) => [r.key, r.requestStore !== false]));
});

after(async () => {
  await fx?.close();
  project?.dispose();
});

test("routes that only use Response, NextRequest/NextResponse, next/navigation or plain packages skip the store", () => {
  assert.equal(stores["/plain"], false);
  assert.equal(stores["/next-response"], false);
  assert.equal(stores["/navigation"], false);
  assert.equal(stores["/plain-package"], false);
});

test("next/headers, after(), next/cache, use cache, namespace imports, local helpers and approute-aware packages keep it", () => {
  for (const key of [
    "/cookies",
    "/after",
    "/namespace",
    "/helper",
    "/cached",
    "/revalidate",
    "/approute-package",
    "/uses-fetch",
  ]) {
    assert.equal(stores[key], true, `${key} must enter the request store`);
  }
});

test("every route answers correctly whichever way it is called", async () => {
  const cookie = { cookie: "visits=7", "x-visits": "9" };
  const get = async (path: string) => {
    const res = await fetch(`${fx.url}${path}`, { headers: cookie });
    return { status: res.status, body: res.status === 200 ? await res.json() : null };
  };
  assert.deepEqual(await get("/plain"), { status: 200, body: { ok: true } });
  assert.deepEqual(await get("/next-response"), { status: 200, body: { visits: "7" } });
  assert.deepEqual(await get("/navigation"), { status: 404, body: null });
  assert.deepEqual(await get("/cookies"), { status: 200, body: { visits: "7" } });
  assert.deepEqual(await get("/after"), { status: 200, body: { after: true } });
  assert.deepEqual(await get("/namespace"), { status: 200, body: { ns: true } });
  assert.deepEqual(await get("/helper"), { status: 200, body: { visits: "9" } });
  assert.deepEqual(await get("/cached"), { status: 200, body: { id: "a" } });
  assert.deepEqual(await get("/plain-package"), { status: 200, body: { n: 4 } });
  assert.deepEqual(await get("/uses-fetch"), { status: 200, body: { fetch: "function" } });
  assert.deepEqual(await get("/approute-package"), { status: 200, body: { visits: "7" } });
  const post = await fetch(`${fx.url}/revalidate`, { method: "POST" });
  assert.equal(post.status, 200);
  assert.deepEqual(
    fx.logs.filter((l) => l.level === "error"),
    [],
  );
});
