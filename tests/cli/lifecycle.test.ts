// The process around a running server (#7), through the real CLI: errors that escape handlers are
// logged with their route and never stop the process; SIGTERM under steady load drops no accepted
// request and exits 0; `--workers N` shares one port, replaces a worker that dies and stops cleanly.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FIXTURES } from "../helpers/fixture.ts";
import {
  BIN,
  type CliServer,
  spawnServer,
  type TempProject,
  tempProject,
  until,
} from "../helpers/project.ts";

let project: TempProject;

before(() => {
  project = tempProject({}, join(FIXTURES, "lifecycle"));
  const built = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
  assert.equal(built.status, 0, built.stderr);
});
after(() => project?.dispose());

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return res.text();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("resilience", () => {
  let server: CliServer;
  before(async () => {
    server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
  });
  after(() => server?.stop());

  const cases = [
    {
      path: "/api/timer-throw",
      log: /Uncaught exception in route \/api\/timer-throw[\s\S]*boom from a timer/,
    },
    {
      path: "/api/reject",
      log: /Unhandled promise rejection in route \/api\/reject[\s\S]*boom from a floating promise/,
    },
    {
      path: "/api/after-throw",
      log: /after\(\) callback of route \/api\/after-throw[\s\S]*boom in after\(\)/,
    },
    {
      path: "/api/after-throw",
      log: /after\(\) callback of route \/api\/after-throw[\s\S]*boom in async after\(\)/,
    },
    { path: "/api/background", log: /in route \/api\/background[\s\S]*boom in background work/ },
  ];
  for (const c of cases) {
    test(`${c.log.source.split("[")[0]!.replace(/\\/g, "")}: logged with its route, the process keeps serving`, async () => {
      await text(server.url + c.path);
      await until(async () => c.log.test(server.output()), `log line ${c.log}`);
      assert.equal(server.child.exitCode, null, "the process must still run");
      assert.equal(await text(`${server.url}/api/ok`), "ok");
    });
  }
});

describe("graceful shutdown", () => {
  for (const extra of [[], ["--workers", "2"]]) {
    test(`SIGTERM under steady load${extra.length ? ` (${extra.join(" ")})` : ""}: every accepted request is answered, exit 0`, async () => {
      const server = await spawnServer([
        "start",
        project.root,
        "-p",
        "0",
        "-H",
        "127.0.0.1",
        "--shutdown-timeout",
        "5000",
        ...extra,
      ]);
      const answered = new Map<string, string>();
      const failed = new Map<string, string>();
      let next = 0;
      let completedBeforeSignal = 0;
      let answeredAfterSignal = 0;
      let signalled = false;
      let resolveWarm!: () => void;
      const warm = new Promise<void>((r) => {
        resolveWarm = r;
      });
      // 16 clients, keep-alive, each request in flight for 150 ms: there is always work in progress.
      const client = async () => {
        for (;;) {
          const id = String(next++);
          try {
            const res = await fetch(`${server.url}/api/slow?ms=150&id=${id}`);
            const body = await res.text();
            if (res.status === 200 && body === `done ${id}`) {
              answered.set(id, body);
              if (signalled) answeredAfterSignal++;
            } else failed.set(id, `${res.status} ${body}`);
            if (!signalled && ++completedBeforeSignal >= 48) resolveWarm();
          } catch (error) {
            failed.set(id, String((error as Error).cause ?? error));
            return; // the server stopped accepting: this client is done
          }
        }
      };
      const clients = Array.from({ length: 16 }, client);
      await warm;
      signalled = true;
      const code = await server.stop("SIGTERM");
      await Promise.all(clients);
      assert.equal(code, 0, server.output());
      const accepted = [...server.output().matchAll(/^accepted (\d+)$/gm)].map((m) => m[1]!);
      // At least the warm-up requests; how many more were in flight at the signal depends on scheduling.
      assert.ok(accepted.length >= 48, `only ${accepted.length} accepted`);
      const dropped = accepted.filter((id) => !answered.has(id));
      assert.deepEqual(
        dropped,
        [],
        `accepted but not answered: ${dropped.map((id) => `${id}: ${failed.get(id)}`).join(", ")}`,
      );
      // Requests were in flight when the signal arrived: some were answered after it.
      assert.match(server.output(), /SIGTERM received/);
      assert.ok(answeredAfterSignal > 0, "no request was in flight at SIGTERM");
    });
  }

  test("the grace period bounds a request that never ends: exit 0 after it", async () => {
    const server = await spawnServer([
      "start",
      project.root,
      "-p",
      "0",
      "-H",
      "127.0.0.1",
      "--shutdown-timeout",
      "200",
    ]);
    const pending = fetch(`${server.url}/api/slow?ms=60000&id=long`).then(
      (r) => r.status,
      () => "cut",
    );
    await until(async () => /accepted long/.test(server.output()), "the long request to arrive");
    const code = await server.stop("SIGTERM");
    assert.equal(code, 0);
    assert.equal(await pending, "cut");
    assert.match(server.output(), /Grace period over/);
  });
});

describe("server flags", () => {
  test("--body-limit and the timeouts reach the server", async () => {
    const server = await spawnServer([
      "start",
      project.root,
      "-p",
      "0",
      "-H",
      "127.0.0.1",
      "--body-limit",
      "1kb",
      "--headers-timeout",
      "2000",
      "--request-timeout",
      "4000",
      "--keep-alive-timeout",
      "1000",
      "--max-connections",
      "100",
    ]);
    try {
      const big = await fetch(`${server.url}/api/ok`, { method: "POST", body: "x".repeat(2048) });
      assert.equal(big.status, 413);
      const small = await fetch(`${server.url}/api/ok`);
      assert.equal(await small.text(), "ok");
    } finally {
      await server.stop();
    }
  });

  for (const [flag, value] of [
    ["--body-limit", "lots"],
    ["--headers-timeout", "0"],
    ["--request-timeout", "1s"],
    ["--max-connections", "1.5"],
    ["--max-header-size", "12"],
    ["--shutdown-timeout", "soon"],
  ]) {
    test(`${flag} ${value} is a usage error`, () => {
      const run = spawnSync(process.execPath, [BIN, "start", project.root, flag!, value!], {
        encoding: "utf8",
      });
      assert.equal(run.status, 1);
      assert.match(run.stderr, new RegExp(`APR_USAGE[\\s\\S]*${flag}`));
    });
  }
});

describe("--workers", () => {
  test("N workers share the port; a dead worker is replaced; SIGTERM stops all with exit 0", async () => {
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1", "--workers", "2"]);
    try {
      assert.match(server.output(), /ready on http:\/\/\S+ \(2 workers\)/);
      const pids = new Set<number>();
      // Fresh connections are spread over the workers (round-robin in the primary).
      await until(async () => {
        const res = await fetch(`${server.url}/api/pid`, { headers: { connection: "close" } });
        pids.add(Number(await res.text()));
        return pids.size === 2;
      }, "both workers to answer");
      assert.ok(!pids.has(server.child.pid!), "the primary does not serve");
      const [victim] = [...pids];
      process.kill(victim!, "SIGKILL");
      await until(
        async () => /Worker \d+ exited \(SIGKILL\); starting a new one/.test(server.output()),
        "the restart log",
      );
      const after = new Set<number>();
      await until(async () => {
        const res = await fetch(`${server.url}/api/pid`, { headers: { connection: "close" } });
        after.add(Number(await res.text()));
        return after.size === 2;
      }, "two workers again");
      assert.ok(!after.has(victim!), "the dead worker is gone");
      const code = await server.stop("SIGTERM");
      assert.equal(code, 0, server.output());
      for (const pid of after) assert.equal(alive(pid), false, `worker ${pid} still runs`);
    } finally {
      await server.stop("SIGKILL");
    }
  });

  test("--workers rejects nonsense", () => {
    const run = spawnSync(process.execPath, [BIN, "start", project.root, "--workers", "zero"], {
      encoding: "utf8",
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /APR_USAGE[\s\S]*--workers/);
  });
});
