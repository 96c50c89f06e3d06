// R87: `maxDuration` bounds handler time. Past it, request.signal aborts with a TimeoutError, the
// client gets a 504 (or, mid-stream, a cut connection), one log line names the route, and whatever
// the handler does afterwards is dropped. Every assertion awaits a response; nothing sleeps.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildProject, isApprouteError, loadBuild } from "approute";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";

function linesAbout(fx: FixtureServer, route: string): string[] {
  return fx.logs.map((l) => l.message).filter((m) => m.includes(route));
}

describe("maxDuration (R87)", () => {
  let fx: FixtureServer;
  before(async () => {
    fx = await startFixture("max-duration");
  });
  after(() => fx.close());

  test("a handler that never answers gets a 504 and its request.signal aborts with a TimeoutError", async () => {
    const res = await fetch(`${fx.url}/stuck?id=never`);
    assert.equal(res.status, 504);
    assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(
      await res.text(),
      "Gateway Timeout: the route handler did not respond within its maxDuration (1 s)",
    );
    assert.equal(
      await (await fetch(`${fx.url}/seen?id=never`)).text(),
      "TimeoutError: Route /stuck exceeded its maxDuration of 1 s.",
    );
    const lines = linesAbout(fx, "/stuck");
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(
      lines[0]!,
      /Route \/stuck \(app\/stuck\/route\.ts\) did not respond within its maxDuration of 1 s/,
    );
  });

  test("a Response returned after the deadline is dropped: one 504, nothing written twice", async () => {
    const res = await fetch(`${fx.url}/late`);
    assert.equal(res.status, 504);
    assert.equal(res.headers.get("x-late"), null);
    assert.match(await res.text(), /maxDuration \(1 s\)/);
    // The same keep-alive pool still works, and the server logged only the deadline line.
    assert.equal(await (await fetch(`${fx.url}/unbounded`)).text(), "unbounded");
    assert.equal(linesAbout(fx, "/late").length, 1);
  });

  test("rethrowing the abort reason after the deadline logs nothing more", async () => {
    const res = await fetch(`${fx.url}/rethrow`, { method: "POST", body: "x" });
    assert.equal(res.status, 504);
    await res.text();
    assert.equal(await (await fetch(`${fx.url}/unbounded`)).text(), "unbounded");
    const lines = linesAbout(fx, "/rethrow");
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.equal(
      fx.logs.some((l) => l.message.startsWith("Error in route handler")),
      false,
    );
  });

  test("a stream still open at the deadline is cut off and cancelled", async () => {
    const res = await fetch(`${fx.url}/stream`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), "first;");
    // The handler never closes the stream: the server terminates it at the deadline.
    await assert.rejects(async () => {
      for (;;) if ((await reader.read()).done) break;
    });
    assert.equal(
      await (await fetch(`${fx.url}/seen?id=stream`)).text(),
      "cancelled: TimeoutError, signal: true",
    );
    const lines = linesAbout(fx, "/stream");
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0]!, /still streaming its response at its maxDuration of 1 s/);
  });

  test("handlers within their maxDuration answer as usual, streams arrive whole", async () => {
    const quick = await fetch(`${fx.url}/quick`);
    assert.equal(quick.status, 200);
    assert.deepEqual(await quick.json(), { ok: true });
    const stream = await fetch(`${fx.url}/quick-stream`);
    assert.equal(await stream.text(), "abc");
    const head = await fetch(`${fx.url}/quick`, { method: "HEAD" });
    assert.equal(head.status, 200);
  });

  test("a cached GET with a maxDuration is served from the cache", async () => {
    const a = await fetch(`${fx.url}/cached`);
    const b = await fetch(`${fx.url}/cached`);
    assert.equal(a.headers.get("x-nextjs-cache"), "HIT");
    assert.deepEqual(await a.json(), await b.json());
  });
});

describe("next.config approute.maxDuration", () => {
  const projects: Array<{ dispose(): void }> = [];
  after(() => {
    for (const p of projects) p.dispose();
  });

  test("bounds every route that does not export its own maxDuration", async () => {
    const project = tempProject({
      "next.config.mjs": "export default { approute: { maxDuration: 1 } };\n",
      "app/wait/route.ts": "export async function GET() { await new Promise(() => {}); }\n",
      "app/own/route.ts": `export const maxDuration = 60;
export async function GET(request: Request) {
  if (new URL(request.url).searchParams.has("wait")) await new Promise(() => {});
  return new Response("own");
}
`,
    });
    projects.push(project);
    const fx = await startFixture("", { root: project.root });
    try {
      assert.equal((await fetch(`${fx.url}/wait`)).status, 504);
      assert.equal(await (await fetch(`${fx.url}/own`)).text(), "own");
      assert.equal(fx.app.router.match("/own")?.route.data.maxDuration, 60);
      assert.equal(fx.app.router.match("/wait")?.route.data.maxDuration, 1);
    } finally {
      await fx.close();
    }
  });

  test("an invalid value fails start-up naming the option", async () => {
    const project = tempProject({
      "next.config.mjs": 'export default { approute: { maxDuration: "10s" } };\n',
      "app/x/route.ts": "export function GET() { return new Response('x'); }\n",
    });
    projects.push(project);
    // The build loads the config too; whichever step reads it first must refuse it.
    await assert.rejects(
      buildProject({ root: project.root }).then(() => loadBuild(project.root)),
      (error) => {
        assert.ok(isApprouteError(error));
        assert.match(error.message, /approute\.maxDuration.*positive number of seconds.*"10s"/);
        return true;
      },
    );
  });
});
