// Fetch data-cache entries shared through Redis (#4 item 4): two approute processes with one real
// redis-server and one counting upstream. An entry fetched by one instance is served by the other
// without an upstream request, and revalidateTag on one is honoured by both.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { BIN, type CliServer, spawnServer, type TempProject, tempProject } from "../helpers/project.ts";
import { type RedisServer, startRedis } from "../helpers/redis.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

let redis: RedisServer;
let upstream: Upstream;
let project: TempProject;
let a: CliServer;
let b: CliServer;

before(async () => {
  redis = await startRedis();
  upstream = await startUpstream();
  project = tempProject({
    "app/api/price/route.ts": `export async function GET() {
  const response = await fetch(process.env.UPSTREAM + "/price", { cache: "force-cache", next: { tags: ["prices"] } });
  return Response.json({ upstream: await response.json(), pid: process.pid });
}
`,
    "app/api/invalidate/route.ts": `import { revalidateTag } from "next/cache";
export async function POST() {
  revalidateTag("prices", { expire: 0 });
  return Response.json({ ok: true });
}
`,
  });
  const built = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
  assert.equal(built.status, 0, built.stderr);
  const env = { APPROUTE_REDIS_URL: redis.url, UPSTREAM: upstream.url };
  a = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"], { env });
  b = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"], { env });
});

after(async () => {
  await a?.stop();
  await b?.stop();
  await redis?.kill();
  await upstream?.close();
  project?.dispose();
});

async function price(server: CliServer): Promise<{ n: number; pid: number }> {
  const res = await fetch(`${server.url}/api/price`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { upstream: { n: number }; pid: number };
  return { n: body.upstream.n, pid: body.pid };
}

test("an entry fetched by one instance is served by the other without an upstream request", async () => {
  assert.deepEqual(await price(a), { n: 1, pid: a.child.pid });
  assert.deepEqual(await price(b), { n: 1, pid: b.child.pid });
  assert.equal(upstream.count("/price"), 1);
});

test("revalidateTag on one instance makes the other fetch again", async () => {
  const res = await fetch(`${b.url}/api/invalidate`, { method: "POST" });
  assert.equal(res.status, 200);
  assert.equal((await price(a)).n, 2);
  assert.equal((await price(b)).n, 2, "b reads the entry a fetched after the invalidation");
  assert.equal(upstream.count("/price"), 2);
});
