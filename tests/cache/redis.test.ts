// The shared Redis handler with a real redis-server and two approute processes on different ports
// (issue #4): one cache for both, revalidateTag on one honoured by the other, Redis dying leaves
// both answering 200 with one warning each, and they reconnect by themselves when it is back.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { FIXTURES } from "../helpers/fixture.ts";
import {
  BIN,
  type CliServer,
  spawnServer,
  type TempProject,
  tempProject,
  until,
} from "../helpers/project.ts";
import { type RedisServer, startRedis } from "../helpers/redis.ts";

let redis: RedisServer;
let project: TempProject;
let a: CliServer;
let b: CliServer;

interface ItemBody {
  served: number;
  item: { id: string; pid: number; run: number };
}
async function item(server: CliServer, id: string): Promise<ItemBody> {
  const response = await fetch(`${server.url}/item?id=${id}`);
  assert.equal(response.status, 200);
  return (await response.json()) as ItemBody;
}
const pid = (server: CliServer) => server.child.pid;
const warnings = (server: CliServer) => server.output().split("is unavailable").length - 1;

before(async () => {
  redis = await startRedis();
  project = tempProject({}, join(FIXTURES, "shared-cache"));
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

test("an entry computed on one instance is served by the other", async () => {
  const first = await item(a, "1");
  assert.equal(first.item.pid, pid(a));
  assert.equal(first.item.run, 1);
  const fromB = await item(b, "1");
  assert.equal(fromB.served, pid(b));
  assert.deepEqual(fromB.item, first.item, "B serves A's entry from Redis without computing");
});

test("revalidateTag on one instance is honoured by the other at once", async () => {
  assert.equal((await item(a, "2")).item.pid, pid(a));
  assert.equal((await item(b, "2")).item.pid, pid(a));
  const response = await fetch(`${b.url}/revalidate`, { method: "POST" });
  assert.equal(response.status, 200);
  const after = await item(a, "2");
  assert.equal(after.item.pid, pid(a));
  assert.equal(after.item.run, 3, "A recomputes: its entries for ids 1 and 2 were runs 1 and 2");
  assert.deepEqual((await item(b, "2")).item, after.item, "B sees the regenerated entry");
});

test("Redis dying: both keep answering 200 uncached, one warning each; they reconnect by themselves", async () => {
  const port = redis.port;
  await redis.kill();
  for (let i = 0; i < 3; i++) {
    const fromA = await item(a, "3");
    const fromB = await item(b, "3");
    assert.equal(fromA.item.pid, pid(a));
    assert.equal(fromB.item.pid, pid(b));
  }
  const runsA = (await item(a, "3")).item.run;
  assert.equal((await item(a, "3")).item.run, runsA + 1, "uncached while Redis is down");
  assert.equal(warnings(a), 1, a.output());
  assert.equal(warnings(b), 1, b.output());

  redis = await startRedis(port);
  await until(
    async () => a.output().includes("caching resumed") && b.output().includes("caching resumed"),
    "reconnection",
  );
  const fresh = await item(a, "4");
  assert.equal(fresh.item.pid, pid(a));
  assert.deepEqual(
    (await item(b, "4")).item,
    fresh.item,
    `shared again after the restart\n${a.output()}\n${b.output()}`,
  );
  assert.equal(warnings(a), 1);
});
