// Runs beyond Node (issue #5): the build's `{ fetch }` entry serves the same app under Bun
// (`bun .approute/server/entry.mjs`), Deno (`deno serve .approute/server/entry.mjs`) and workerd (the
// `--target worker` bundle, through miniflare), and every runtime answers the same requests exactly
// like `approute start` on Node: params, query, cookies in and out, JSON bodies, redirects, 404/405/400,
// a handler error (reported to instrumentation.ts), next.config headers(), and a GET backed by a
// "use cache" function.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FIXTURES } from "../helpers/fixture.ts";
import { BIN, REPO, spawnServer, type TempProject, tempProject } from "../helpers/project.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

interface Probe {
  name: string;
  path: string;
  init?: RequestInit;
}

const PROBES: Probe[] = [
  {
    name: "params, query, cookie in and out",
    path: "/api/users/42?q=x",
    init: { headers: { cookie: "theme=dark; visits=2" } },
  },
  { name: "percent-decoded param", path: "/api/users/a%20b" },
  { name: "optional catch-all, empty", path: "/api/docs" },
  { name: "optional catch-all, two segments", path: "/api/docs/a/b%2Fc" },
  {
    name: "JSON POST with headers(), NextResponse cookies and headers",
    path: "/api/echo",
    init: {
      method: "POST",
      headers: { "content-type": "application/json", "x-tag": "t1" },
      body: '{"n":[1,2,3]}',
    },
  },
  { name: "redirect() from next/navigation", path: "/api/go" },
  { name: "405 with Allow", path: "/api/users/1", init: { method: "DELETE" } },
  { name: "automatic OPTIONS", path: "/api/echo", init: { method: "OPTIONS" } },
  { name: "HEAD falls back to GET without a body", path: "/api/users/1", init: { method: "HEAD" } },
  { name: "unknown path", path: "/nope" },
  { name: "malformed escape is a 400", path: "/api/users/%E0%A4%A" },
  { name: "handler error is a 500 without details", path: "/api/fail" },
  { name: "trailing slash redirects", path: "/api/docs/" },
  // After the failing handler above: every runtime ran register() and reported that one failure.
  { name: "instrumentation.ts: register() and onRequestError", path: "/api/instrumentation" },
  {
    name: "userAgent() and URLPattern (in the worker bundle when used)",
    path: "/api/ua",
    init: {
      headers: {
        "user-agent":
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
      },
    },
  },
];

interface Answer {
  status: number;
  contentType: string | null;
  location: string | null;
  allow: string | null;
  setCookie: string[];
  handledBy: string | null;
  fromConfig: string | null;
  body: string;
}

async function ask(base: string, probe: Probe): Promise<Answer> {
  const res = await fetch(base + probe.path, { redirect: "manual", ...probe.init });
  const location = res.headers.get("location");
  return {
    status: res.status,
    // Media type only: Bun's own Response.json() adds ";charset=utf-8", Node's and Deno's do not.
    contentType: res.headers.get("content-type")?.split(";")[0] ?? null,
    // Origins differ per runtime (port); compare the path of an absolute Location.
    location: location?.replace(/^https?:\/\/[^/]+/, "") ?? null,
    allow: res.headers.get("allow"),
    setCookie: res.headers.getSetCookie(),
    handledBy: res.headers.get("x-handled-by"),
    fromConfig: res.headers.get("x-from-config"),
    body: await res.text(),
  };
}

/** A "use cache" function behind a GET: same key → the cached token, another key → a new one. */
async function cacheBehaviour(base: string) {
  const get = async (k: string) =>
    (await (await fetch(`${base}/api/cached?k=${k}`)).json()) as { key: string; token: string };
  const first = await get("a");
  const again = await get("a");
  const other = await get("b");
  return {
    keys: [first.key, again.key, other.key],
    sameKeyServedFromCache: first.token === again.token,
    otherKeyComputed: other.token !== first.token,
  };
}

const CACHED = { keys: ["a", "a", "b"], sameKeyServedFromCache: true, otherKeyComputed: true };

let upstream: Upstream;

/** A `cache: "force-cache"` fetch behind a GET: the second call never reaches the upstream. */
async function fetchBehaviour(base: string) {
  const before = upstream.count("/token");
  const get = async () =>
    (await (await fetch(`${base}/api/fetched?u=${encodeURIComponent(upstream.url)}`)).json()) as {
      upstream: { n: number };
    };
  const first = await get();
  const again = await get();
  return {
    sameBody: first.upstream.n === again.upstream.n,
    upstreamRequests: upstream.count("/token") - before,
  };
}

const FETCHED = { sameBody: true, upstreamRequests: 1 };

/** process.env.NEXT_RUNTIME as instrumentation.ts's register() saw it (nodejs, or edge in Workers). */
async function nextRuntime(base: string): Promise<string | null> {
  return (await fetch(`${base}/api/instrumentation`)).headers.get("x-next-runtime");
}

async function askAll(base: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const probe of PROBES) answers.push(await ask(base, probe));
  return answers;
}

/** Spawns a runtime we started ourselves and resolves with the URL it prints once listening. */
function spawnListening(command: string, args: string[], cwd: string, pattern: RegExp) {
  const child: ChildProcess = spawn(command, args, {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let out = "";
  return new Promise<{ url: string; stop(): Promise<void> }>((resolve, reject) => {
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(pattern);
      if (match)
        resolve({
          url: `http://127.0.0.1:${match[1]}`,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
            await exited;
          },
        });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`${command} ${args.join(" ")} exited with ${code}:\n${out}`)),
    );
  });
}

const BUN = join(REPO, "node_modules", ".bin", "bun");
const DENO = join(REPO, "node_modules", ".bin", "deno");

describe("the fetch entry on Node, Bun, Deno and workerd", () => {
  let project: TempProject;
  let expected: Answer[];
  before(async () => {
    upstream = await startUpstream();
    project = tempProject({}, join(FIXTURES, "runtimes"));
    const build = spawnSync(process.execPath, [BIN, "build", "--target", "worker", project.root], {
      encoding: "utf8",
    });
    assert.equal(build.status, 0, build.stderr);
    const node = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      expected = await askAll(node.url);
      assert.deepEqual(await cacheBehaviour(node.url), CACHED, "node: cached GET");
      assert.deepEqual(await fetchBehaviour(node.url), FETCHED, "node: cached fetch");
      assert.equal(await nextRuntime(node.url), "nodejs");
    } finally {
      await node.stop();
    }
  });
  after(async () => {
    project.dispose();
    await upstream?.close();
  });

  test("Node answers are what the routes say (the reference is itself checked)", () => {
    const byName = Object.fromEntries(PROBES.map((p, i) => [p.name, expected[i]!]));
    const first = byName["params, query, cookie in and out"]!;
    assert.equal(first.status, 200);
    assert.deepEqual(JSON.parse(first.body), { id: "42", theme: "dark", q: "x", visits: 3 });
    assert.deepEqual(first.setCookie, ["visits=3; Path=/; HttpOnly"]);
    assert.equal(first.fromConfig, "users", "next.config headers() applied");
    assert.equal(byName["optional catch-all, empty"]!.fromConfig, null);
    assert.deepEqual(JSON.parse(byName["percent-decoded param"]!.body).id, "a b");
    assert.deepEqual(JSON.parse(byName["optional catch-all, empty"]!.body), { slug: null });
    assert.deepEqual(JSON.parse(byName["optional catch-all, two segments"]!.body), { slug: ["a", "b/c"] });
    assert.deepEqual(JSON.parse(byName["instrumentation.ts: register() and onRequestError"]!.body), {
      registered: 1,
      reports: [
        {
          message: "secret detail that must not reach the client",
          path: "/api/fail",
          method: "GET",
          context: { routerKind: "App Router", routePath: "/api/fail", routeType: "route" },
        },
      ],
    });
    assert.deepEqual(
      JSON.parse(byName["userAgent() and URLPattern (in the worker bundle when used)"]!.body),
      {
        browser: "Chrome",
        major: "120",
        os: "Windows",
        isBot: false,
        name: "ua",
      },
    );
    const echo = byName["JSON POST with headers(), NextResponse cookies and headers"]!;
    assert.equal(echo.status, 201);
    assert.deepEqual(JSON.parse(echo.body), { body: { n: [1, 2, 3] }, tag: "t1" });
    assert.deepEqual(echo.setCookie, ["echoed=yes; Path=/"]);
    assert.equal(echo.handledBy, "approute");
    assert.equal(byName["redirect() from next/navigation"]!.status, 307);
    assert.equal(byName["redirect() from next/navigation"]!.location, "/api/users/1?from=go");
    assert.equal(byName["405 with Allow"]!.status, 405);
    assert.match(byName["405 with Allow"]!.allow ?? "", /GET/);
    assert.equal(byName["automatic OPTIONS"]!.status, 204);
    assert.equal(byName["HEAD falls back to GET without a body"]!.body, "");
    assert.equal(byName["unknown path"]!.status, 404);
    assert.equal(byName["malformed escape is a 400"]!.status, 400);
    assert.equal(byName["handler error is a 500 without details"]!.status, 500);
    assert.doesNotMatch(byName["handler error is a 500 without details"]!.body, /secret/);
    assert.equal(byName["trailing slash redirects"]!.status, 308);
  });

  function compare(runtime: string, answers: Answer[]) {
    PROBES.forEach((probe, i) => {
      const answer = { ...answers[i]! };
      // The one difference the runtime itself makes: Bun's server labels a body that has no
      // Content-Type (the 308's path text) application/octet-stream. Nothing else is excused.
      if (
        runtime === "bun" &&
        expected[i]!.contentType === null &&
        answer.contentType === "application/octet-stream"
      )
        answer.contentType = null;
      assert.deepEqual(
        answer,
        expected[i],
        `${runtime}: ${probe.name} (${probe.init?.method ?? "GET"} ${probe.path})`,
      );
    });
  }

  test("Bun: bun --port 0 .approute/server/entry.mjs", {
    skip: !existsSync(BUN) && "bun is not installed",
  }, async () => {
    const server = await spawnListening(
      BUN,
      ["--port", "0", ".approute/server/entry.mjs"],
      project.root,
      /Started [a-z ]*server: http:\/\/[^:\s]+:(\d+)/,
    );
    try {
      compare("bun", await askAll(server.url));
      assert.deepEqual(await cacheBehaviour(server.url), CACHED, "bun: cached GET");
      assert.deepEqual(await fetchBehaviour(server.url), FETCHED, "bun: cached fetch");
      assert.equal(await nextRuntime(server.url), "nodejs", "bun: NEXT_RUNTIME");
    } finally {
      await server.stop();
    }
  });

  test("Deno: deno serve .approute/server/entry.mjs", {
    skip: !existsSync(DENO) && "deno is not installed",
  }, async () => {
    const server = await spawnListening(
      DENO,
      // The README's command, with a loopback host and a free port.
      [
        "serve",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        ".approute/server/entry.mjs",
      ],
      project.root,
      /Listening on http:\/\/127\.0\.0\.1:(\d+)/,
    );
    try {
      compare("deno", await askAll(server.url));
      assert.deepEqual(await cacheBehaviour(server.url), CACHED, "deno: cached GET");
      assert.deepEqual(await fetchBehaviour(server.url), FETCHED, "deno: cached fetch");
      assert.equal(await nextRuntime(server.url), "nodejs", "deno: NEXT_RUNTIME");
    } finally {
      await server.stop();
    }
  });

  test("the worker bundle holds what the routes use: no Node server, no Redis client, no loading by path", () => {
    const bundle = readFileSync(join(project.root, ".approute", "worker", "index.mjs"), "utf8");
    // approute is bundled from its sources, so what no route reaches is left out (#6: dist/ holds
    // the runtime as one file per layer, which a bundler cannot tree-shake).
    assert.ok(!/from\s*"node:http"/.test(bundle), "the Node server is in the worker bundle");
    assert.ok(
      !bundle.includes('createRequire(import.meta.url)("redis")'),
      "node-redis is in the worker bundle",
    );
    // The stand-ins for the modules Workers cannot run.
    assert.ok(bundle.includes("is not part of a Workers bundle"), "no Redis stand-in");
    assert.ok(bundle.includes("which a Workers bundle cannot do"), "no cache-handlers stand-in");
  });

  test("a worker bundle leaves out the User-Agent parser and URLPattern polyfill no route uses", () => {
    // #6: the `#deps/*` wrappers and the polyfill's class module are side-effect free for the
    // worker bundler, so a dependency (ua-parser-js ~55 kB, the polyfill ~25 kB) goes when no route
    // calls what needs it. The fixture above uses both, and its bundle has them (checked by the
    // /api/ua answers on every runtime).
    const hello = tempProject({
      "app/api/hello/route.ts": "export function GET() { return Response.json({ hello: 1 }); }\n",
    });
    try {
      const build = spawnSync(process.execPath, [BIN, "build", "--target", "worker", hello.root], {
        encoding: "utf8",
      });
      assert.equal(build.status, 0, build.stderr);
      const small = readFileSync(join(hello.root, ".approute", "worker", "index.mjs"), "utf8");
      const full = readFileSync(join(project.root, ".approute", "worker", "index.mjs"), "utf8");
      assert.ok(full.includes("UAParser"), "the fixture's bundle parses User-Agents");
      assert.ok(!small.includes("UAParser"), "ua-parser-js is in a bundle no route needs it in");
      const polyfill = "Failed to construct 'URLPattern'";
      assert.ok(full.includes(polyfill), "the fixture's bundle has the URLPattern polyfill");
      assert.ok(!small.includes(polyfill), "the URLPattern polyfill is in a bundle no route needs it in");
    } finally {
      hello.dispose();
    }
  });

  test("workerd (miniflare): the --target worker bundle", async () => {
    const { Miniflare } = await import("miniflare");
    const mf = new Miniflare({
      modules: true,
      scriptPath: join(project.root, ".approute", "worker", "index.mjs"),
      modulesRoot: join(project.root, ".approute", "worker"),
      compatibilityDate: "2025-09-01",
      compatibilityFlags: ["nodejs_compat"],
      host: "127.0.0.1",
      port: 0,
    });
    try {
      const url = await mf.ready;
      compare("workerd", await askAll(url.origin));
      assert.deepEqual(await cacheBehaviour(url.origin), CACHED, "workerd: cached GET");
      assert.deepEqual(await fetchBehaviour(url.origin), FETCHED, "workerd: cached fetch");
      assert.equal(await nextRuntime(url.origin), "edge", "workerd: NEXT_RUNTIME");
    } finally {
      await mf.dispose();
    }
  });
});
