// Route cache entries shared through Redis (#4): two approute processes with one real redis-server.
// A response rendered by one instance is a HIT on the other, revalidatePath on one makes both
// re-render, and with Redis gone both keep answering from what they hold. Non-ASCII tags and paths
// are shared in one (header-safe) form, whichever spelling each instance is given (R113).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { BIN, type CliServer, spawnServer, type TempProject, tempProject } from "../helpers/project.ts";
import { type RedisServer, startRedis } from "../helpers/redis.ts";

let redis: RedisServer;
let project: TempProject;
let a: CliServer;
let b: CliServer;

before(async () => {
  redis = await startRedis();
  project = tempProject({
    "app/api/page/[id]/route.ts": `export const revalidate = 3600;
export function generateStaticParams() { return []; }
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  return Response.json({ id: (await params).id, pid: process.pid });
}
`,
    "app/api/invalidate/route.ts": `import { revalidatePath, revalidateTag } from "next/cache";
export async function POST(request: Request) {
  const { path, tag } = await request.json();
  if (tag !== undefined) revalidateTag(tag, { expire: 0 });
  else revalidatePath(path);
  return Response.json({ ok: true });
}
`,
    "app/api/café/route.ts": `import { cacheTag } from "next/cache";
export const revalidate = 3600;
async function data() {
  "use cache";
  cacheTag("café");
  return Math.random();
}
export async function GET() {
  return Response.json({ id: "café", pid: process.pid, v: await data() });
}
`,
  });
  const built = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
  assert.equal(built.status, 0, built.stderr);
  const env = { APPROUTE_REDIS_URL: redis.url };
  a = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"], { env });
  b = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"], { env });
});

after(async () => {
  await a?.stop();
  await b?.stop();
  await redis?.kill();
  project?.dispose();
});

async function page(server: CliServer, id: string): Promise<{ state: string | null; pid: number }> {
  const res = await fetch(`${server.url}/api/${id === "café" ? "café" : `page/${id}`}`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { id: string; pid: number };
  assert.equal(body.id, id);
  return { state: res.headers.get("x-nextjs-cache"), pid: body.pid };
}

test("a route response rendered on one instance is a HIT on the other", async () => {
  const first = await page(a, "1");
  assert.deepEqual(first, { state: "MISS", pid: a.child.pid });
  assert.deepEqual(await page(b, "1"), { state: "HIT", pid: a.child.pid });
});

test("R84, R94: revalidatePath on one instance makes the other render again", async () => {
  assert.equal((await page(b, "2")).state, "MISS");
  assert.deepEqual(await page(a, "2"), { state: "HIT", pid: b.child.pid });
  const res = await fetch(`${b.url}/api/invalidate`, {
    method: "POST",
    body: JSON.stringify({ path: "/api/page/2" }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await page(a, "2"), { state: "MISS", pid: a.child.pid });
  assert.deepEqual(await page(b, "2"), { state: "HIT", pid: a.child.pid });
});

async function invalidate(server: CliServer, what: { path: string } | { tag: string }): Promise<void> {
  const res = await fetch(`${server.url}/api/invalidate`, { method: "POST", body: JSON.stringify(what) });
  assert.equal(res.status, 200);
}

test("R113: a non-ASCII tag or path invalidates across instances in either spelling", async () => {
  // Prerendered when each instance starts (a HIT on both).
  assert.equal((await page(a, "café")).state, "HIT");
  assert.equal((await page(b, "café")).state, "HIT");
  const spellings: Array<{ path: string } | { tag: string }> = [
    { tag: "café" },
    { tag: "caf%C3%A9" },
    { path: "/api/café" },
    { path: "/api/caf%C3%A9" },
  ];
  let renderer = a;
  for (const what of spellings) {
    await invalidate(renderer === a ? b : a, what);
    assert.deepEqual(
      await page(renderer, "café"),
      { state: "MISS", pid: renderer.child.pid },
      JSON.stringify(what),
    );
    const other = renderer === a ? b : a;
    assert.deepEqual(await page(other, "café"), { state: "HIT", pid: renderer.child.pid });
    renderer = other;
  }
});

test("with Redis gone both instances keep answering 200, rendering for themselves", async () => {
  await redis.kill();
  for (const server of [a, b]) {
    for (const id of ["1", "3"]) {
      const res = await page(server, id);
      assert.equal(res.pid, server.child.pid, "rendered locally: the shared entry is out of reach");
    }
  }
});
