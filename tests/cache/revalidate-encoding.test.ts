// Non-ASCII tags and paths (R94, R110, R113): Next stores and compares tags with everything outside
// printable ASCII percent-encoded, so `café` and `caf%C3%A9` are one tag and one path. A route
// directory that is not ASCII (next start 16.4.6 answers 404 for it, so this is not a differential
// test) is reached by revalidatePath in either spelling, under a basePath, and so is the "use cache"
// data it reads, also in a dynamic route (its implicit tags leave the basePath out, as Next's
// pathname does).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";

describe("revalidation of non-ASCII tags and paths", () => {
  let project: TempProject;
  let server: FixtureServer;

  before(async () => {
    project = tempProject({
      "next.config.mjs": `export default { basePath: "/base" };\n`,
      "app/café/route.ts": `import { cacheTag } from "next/cache";
export const dynamic = "force-static";
async function data() {
  "use cache";
  cacheTag("ü");
  return Math.random();
}
export async function GET() {
  return Response.json({ data: await data(), route: Math.random() });
}
`,
      "app/live/route.ts": `async function data() {
  "use cache";
  return Math.random();
}
export async function GET() {
  return Response.json({ data: await data() });
}
`,
      "app/invalidate/route.ts": `import { revalidatePath, revalidateTag } from "next/cache";
export async function POST(request: Request) {
  const { path, tag, type } = await request.json();
  if (tag !== undefined) revalidateTag(tag, { expire: 0 });
  else if (type !== undefined) revalidatePath(path, type);
  else revalidatePath(path);
  return Response.json({ ok: true });
}
`,
    });
    server = await startFixture("revalidate-encoding", { root: project.root });
  });

  after(async () => {
    await server?.close();
    project?.dispose();
  });

  async function get(): Promise<{ state: string | null; data: number; route: number }> {
    const res = await fetch(`${server.url}/base/caf%C3%A9`);
    assert.equal(res.status, 200);
    return { state: res.headers.get("x-nextjs-cache"), ...((await res.json()) as any) };
  }

  async function invalidate(what: Record<string, string>): Promise<void> {
    const res = await fetch(`${server.url}/base/invalidate`, { method: "POST", body: JSON.stringify(what) });
    assert.equal(res.status, 200);
  }

  for (const [what, reached] of [
    [{ path: "/café" }, true],
    [{ path: "/caf%C3%A9" }, true],
    [{ path: "/caf%c3%a9/" }, true],
    [{ path: "/café", type: "layout" }, true],
    [{ path: "/caf%C3%A9", type: "page" }, false],
    [{ tag: "ü" }, true],
    [{ tag: "%C3%BC" }, true],
    [{ tag: "_N_T_/caf%C3%A9" }, true],
  ] as const) {
    const reaches = reached ? "re-renders the route and its data" : "reaches nothing";
    test(`R94, R110, R113: ${JSON.stringify(what)} ${reaches}`, async () => {
      const before = await get();
      assert.equal(before.state, "HIT");
      await invalidate(what);
      const afterwards = await get();
      if (!reached) {
        assert.deepEqual(afterwards, before);
        return;
      }
      assert.equal(afterwards.state, "MISS");
      assert.notEqual(afterwards.route, before.route);
      assert.notEqual(afterwards.data, before.data, 'the "use cache" data re-ran too');
      assert.equal((await get()).state, "HIT");
    });
  }

  test('R94, R110: under a basePath, revalidatePath reaches the "use cache" data of a dynamic route', async () => {
    const read = async () => {
      const res = await fetch(`${server.url}/base/live`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-nextjs-cache"), null, "a dynamic route");
      return ((await res.json()) as { data: number }).data;
    };
    const first = await read();
    assert.equal(await read(), first, "cached");
    await invalidate({ path: "/base/live" });
    assert.equal(await read(), first, "the basePath is no part of the path tag, as in Next");
    await invalidate({ path: "/live" });
    const second = await read();
    assert.notEqual(second, first);
    assert.equal(await read(), second);
  });
});
