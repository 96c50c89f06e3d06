// instrumentation.ts as in Next.js 16: register() runs once before the server serves (and before the
// route modules load), onRequestError(error, request, context) hears of every failure that becomes a
// 500, and the 500 waits for it. Compared by hand with next start 16.4.6: the same request shape
// (path with query, method, headers with the X-Forwarded-* the server adds), the same context
// (routerKind, routePath as the folder pattern, routeType, revalidateReason "stale" for cached GETs),
// nothing for notFound()/redirect().
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { BIN, skewedClock, spawnServer, tempProject, until } from "../helpers/project.ts";

interface Report {
  error: string;
  cause?: string;
  request: { path: string; method: string; headers: Record<string, string> };
  context: Record<string, unknown>;
  settled: boolean;
}

const shared = globalThis as Record<string, unknown>;

describe("instrumentation.ts (in-process server)", () => {
  let server: FixtureServer;
  let skew = 0;
  before(async () => {
    server = await startFixture("instrumentation", { overrides: { now: skewedClock(() => skew) } });
  });
  after(async () => {
    await server?.close();
    delete shared.__failIsr;
  });

  async function state(): Promise<{ registered: number; reports: Report[] }> {
    const res = await fetch(`${server.url}/state`);
    assert.equal(res.status, 200);
    return (await res.json()) as { registered: number; reports: Report[] };
  }

  async function reportFor(path: string): Promise<Report> {
    const found = (await state()).reports.filter((r) => r.request.path === path);
    assert.equal(found.length, 1, `one report for ${path}`);
    return found[0]!;
  }

  test("register() ran once before the first request", async () => {
    assert.equal((await state()).registered, 1);
  });

  test("a handler that throws: onRequestError gets the error, the request and the route, then the 500 goes out", async () => {
    const res = await fetch(`${server.url}/boom/7?x=1&y=2`, { headers: { "x-trace": "abc" } });
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "", "no error detail to the client");
    const report = await reportFor("/boom/7?x=1&y=2");
    assert.equal(report.error, "boom 7");
    assert.equal(report.request.method, "GET");
    assert.equal(report.request.headers["x-trace"], "abc");
    assert.equal(report.request.headers["x-forwarded-proto"], "http", "the headers the handler saw");
    assert.deepEqual(report.context, {
      routerKind: "App Router",
      routePath: "/boom/[id]",
      routeType: "route",
    });
    assert.equal(report.settled, true, "the 500 was sent after onRequestError settled");
    // The error is logged as before.
    assert.ok(server.logs.some((l) => l.level === "error" && l.message.includes("app/boom/[id]/route.ts")));
  });

  test("an async rejection, a thrown string and a value that is not a Response are reported too", async () => {
    assert.equal((await fetch(`${server.url}/async-boom`)).status, 500);
    assert.equal((await reportFor("/async-boom")).error, "failed after an await");
    assert.equal((await fetch(`${server.url}/boom/8`, { method: "POST" })).status, 500);
    const thrown = (await state()).reports.find(
      (r) => r.request.path === "/boom/8" && r.request.method === "POST",
    );
    assert.equal(thrown?.error, "a thrown string");
    assert.equal((await fetch(`${server.url}/boom/9`, { method: "PUT" })).status, 500);
    const returned = (await state()).reports.find(
      (r) => r.request.path === "/boom/9" && r.request.method === "PUT",
    );
    assert.match(returned?.error ?? "", /No response is returned from route handler/);
  });

  test("notFound() and redirect() are answers, not errors: nothing is reported", async () => {
    const before = (await state()).reports.length;
    assert.equal((await fetch(`${server.url}/nav`)).status, 404);
    assert.equal((await fetch(`${server.url}/nav?go`, { redirect: "manual" })).status, 307);
    assert.equal((await state()).reports.length, before);
  });

  test("the 500 is held until onRequestError settles", async () => {
    let answered = false;
    const pending = fetch(`${server.url}/held`).then((res) => {
      answered = true;
      return res;
    });
    await until(async () => (await state()).reports.some((r) => r.request.path === "/held"), "the report");
    // Another request completes while the hook is still waiting: the failed one has no answer yet.
    assert.equal((await reportFor("/held")).settled, false);
    assert.equal(answered, false, "the 500 went out before onRequestError settled");
    const release = (shared.__instrumentation as { release?: () => void }).release;
    assert.equal(typeof release, "function");
    release!();
    assert.equal((await pending).status, 500);
    assert.equal((await reportFor("/held")).settled, true);
  });

  test("an onRequestError that throws is logged; the client still gets its 500", async () => {
    assert.equal((await fetch(`${server.url}/hook-throws`)).status, 500);
    assert.ok(
      server.logs.some(
        (l) =>
          l.message.includes("onRequestError of instrumentation.ts") &&
          (l.error as Error)?.message === "the hook itself failed",
      ),
    );
  });

  test("a body stream that fails after the status: reported as next start does, the connection cut", async () => {
    const res = await fetch(`${server.url}/stream-fails`);
    assert.equal(res.status, 200);
    await assert.rejects(res.text(), "the body is cut off");
    await until(
      async () => (await state()).reports.some((r) => r.request.path === "/stream-fails"),
      "the report",
    );
    const report = await reportFor("/stream-fails");
    assert.equal(report.error, "failed to pipe response");
    assert.equal(report.cause, "the upstream stream broke");
    assert.deepEqual(report.context, {
      routerKind: "App Router",
      routePath: "/stream-fails",
      routeType: "route",
    });
  });

  test("a proxy that throws: routeType proxy", async () => {
    assert.equal((await fetch(`${server.url}/proxy-boom?q=1`)).status, 500);
    const report = await reportFor("/proxy-boom?q=1");
    assert.equal(report.error, "proxy failed");
    assert.deepEqual(report.context, { routerKind: "Pages Router", routePath: "/proxy", routeType: "proxy" });
  });

  test('a cached GET that fails to render: revalidateReason "stale", in the foreground and in the background', async () => {
    assert.equal((await fetch(`${server.url}/items/bad`)).status, 500);
    const fill = await reportFor("/items/bad");
    assert.equal(fill.error, "cannot render item bad");
    assert.deepEqual(fill.context, {
      routerKind: "App Router",
      routePath: "/items/[id]",
      routeType: "route",
      revalidateReason: "stale",
    });

    const first = await fetch(`${server.url}/isr`);
    assert.equal(first.status, 200);
    const body = await first.json();
    shared.__failIsr = true;
    skew += 61_000;
    const stale = await fetch(`${server.url}/isr`);
    assert.equal(stale.status, 200, "the stale response is served");
    assert.deepEqual(await stale.json(), body);
    assert.equal(stale.headers.get("x-nextjs-cache"), "STALE");
    await until(async () => (await state()).reports.some((r) => r.request.path === "/isr"), "the report");
    const regen = await reportFor("/isr");
    assert.match(regen.error, /^regeneration \d+ failed$/);
    assert.deepEqual(regen.context, {
      routerKind: "App Router",
      routePath: "/isr",
      routeType: "route",
      revalidateReason: "stale",
    });
  });
});

const INSTRUMENTATION = `
const order = ((globalThis as any).__order ??= [] as string[]);
export async function register() {
  order.push("register:" + process.env.NEXT_RUNTIME);
  await new Promise((resolve) => setImmediate(resolve));
  if (process.env.FAIL_REGISTER) throw new Error("cannot reach the collector");
  order.push("registered");
}
`;
const CACHED_ROUTE = `
((globalThis as any).__order ??= []).push("route module loaded");
export const revalidate = 60;
export function GET() {
  return Response.json({ order: (globalThis as any).__order });
}
`;

describe("instrumentation.ts through the CLI", () => {
  test("approute start: register() runs before any route module loads, and before listening", async () => {
    const project = tempProject({
      "src/instrumentation.ts": INSTRUMENTATION,
      "src/app/order/route.ts": CACHED_ROUTE,
      "src/app/live/route.ts": `export const dynamic = "force-dynamic";\nexport function GET() { return Response.json((globalThis as any).__order); }\n`,
    });
    try {
      const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
      assert.equal(build.status, 0, build.stderr);
      const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
      try {
        const order = await (await fetch(`${server.url}/live`)).json();
        assert.deepEqual(order, ["register:nodejs", "registered", "route module loaded"]);
      } finally {
        await server.stop();
      }
    } finally {
      project.dispose();
    }
  });

  test("approute start: a register() that throws fails the start with APR_INSTRUMENTATION_FAILED, file and line", () => {
    const project = tempProject({
      "instrumentation.ts": INSTRUMENTATION,
      "app/order/route.ts": CACHED_ROUTE,
    });
    try {
      const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
      assert.equal(build.status, 0, build.stderr);
      const start = spawnSync(process.execPath, [BIN, "start", project.root, "-p", "0"], {
        encoding: "utf8",
        env: { ...process.env, FAIL_REGISTER: "1" },
        timeout: 60_000,
      });
      assert.equal(start.status, 1, start.stdout + start.stderr);
      assert.doesNotMatch(start.stdout, /ready on/);
      assert.match(
        start.stderr,
        /\[APR_INSTRUMENTATION_FAILED\] register\(\) in instrumentation\.ts failed: cannot reach the collector/,
      );
      assert.match(start.stderr, /at instrumentation\.ts:6:\d+/, "the line of the throw");
      assert.match(start.stderr, /caused by: Error: cannot reach the collector/);
    } finally {
      project.dispose();
    }
  });

  test("approute start --workers 2: each worker registers, the primary (which serves nothing) does not", async () => {
    const project = tempProject({
      "instrumentation.ts": `export function register() { console.log("registered in " + process.pid); }\n`,
      "app/pid/route.ts": `export function GET() { return new Response(String(process.pid)); }\n`,
    });
    try {
      const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
      assert.equal(build.status, 0, build.stderr);
      const server = await spawnServer([
        "start",
        project.root,
        "-p",
        "0",
        "-H",
        "127.0.0.1",
        "--workers",
        "2",
      ]);
      try {
        const pids = new Set<number>();
        await until(async () => {
          const res = await fetch(`${server.url}/pid`, { headers: { connection: "close" } });
          pids.add(Number(await res.text()));
          return pids.size === 2;
        }, "both workers to answer");
        const registered = [...server.output().matchAll(/registered in (\d+)/g)].map((m) => Number(m[1]));
        assert.deepEqual(registered.sort(), [...pids].sort());
        assert.ok(!registered.includes(server.child.pid!));
      } finally {
        await server.stop();
      }
    } finally {
      project.dispose();
    }
  });

  test("approute dev: register() runs once, not again on every rebuild", async () => {
    const project = tempProject({
      "instrumentation.ts": `export function register() { (globalThis as any).__registered = ((globalThis as any).__registered ?? 0) + 1; }\n`,
      "app/count/route.ts": `export function GET() { return Response.json({ registered: (globalThis as any).__registered, v: 1 }); }\n`,
    });
    const server = await spawnServer(["dev", project.root, "-p", "0"]);
    try {
      assert.deepEqual(await (await fetch(`${server.url}/count`)).json(), { registered: 1, v: 1 });
      project.write(
        "app/count/route.ts",
        `export function GET() { return Response.json({ registered: (globalThis as any).__registered, v: 2 }); }\n`,
      );
      await until(async () => (await (await fetch(`${server.url}/count`)).json()).v === 2, "the rebuild");
      assert.deepEqual(await (await fetch(`${server.url}/count`)).json(), { registered: 1, v: 2 });
      assert.doesNotMatch(server.output(), /changed: register\(\) runs once/, "a route edit says nothing");
      // Editing instrumentation.ts: register() is not run again, and dev says how to get it run.
      project.write(
        "instrumentation.ts",
        `export function register() { (globalThis as any).__registered = ((globalThis as any).__registered ?? 0) + 10; }\n`,
      );
      await until(
        async () => /instrumentation\.ts changed: register\(\) runs once per process/.test(server.output()),
        "the notice",
      );
      assert.equal((await (await fetch(`${server.url}/count`)).json()).registered, 1);
    } finally {
      await server.stop();
      project.dispose();
    }
  });
});
