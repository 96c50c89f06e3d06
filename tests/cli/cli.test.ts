// The CLI as a user runs it: build, start (compiles nothing), dev (reloads on edits), help and exit codes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { BIN, spawnServer, tempProject, until } from "../helpers/project.ts";

const HELLO = `export function GET() { return Response.json({ v: 1 }); }\n`;

describe("approute build + start", () => {
  const project = tempProject({
    "app/api/hello/route.ts": HELLO,
    "app/api/users/[id]/route.ts": `export async function GET(_r: Request, ctx: { params: Promise<{ id: string }> }) { return Response.json(await ctx.params); }\n`,
    "app/api/fail/route.ts": `const label: string = "typed";\nexport function GET() {\n  throw new Error(\`kaboom \${label}\`);\n}\n`,
  });
  after(() => project.dispose());

  test("build writes the manifest and a { fetch } entry", async () => {
    const result = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /built 3 routes/);
    const server = join(project.root, ".approute", "server");
    assert.ok(existsSync(join(server, "manifest.json")));
    const entry = await import(join(server, "entry.mjs"));
    assert.equal(typeof entry.default.fetch, "function");
    const res = await entry.default.fetch(new Request("http://localhost/api/users/9"));
    assert.deepEqual(await res.json(), { id: "9" });
  });

  test("start serves the build on the given port and exits 0 on SIGTERM", async () => {
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      assert.deepEqual(await (await fetch(`${server.url}/api/hello`)).json(), { v: 1 });
      assert.deepEqual(await (await fetch(`${server.url}/api/users/abc`)).json(), { id: "abc" });
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  test("start logs a handler's error with the route file's own line (source maps on for routes)", async () => {
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      const res = await fetch(`${server.url}/api/fail`);
      assert.equal(res.status, 500);
      assert.doesNotMatch(await res.text(), /kaboom/, "no error detail to the client");
      await until(async () => /kaboom typed/.test(server.output()), "the error log line");
    } finally {
      await server.stop();
    }
    assert.match(server.output(), /Error: kaboom typed\n\s+at GET \(.*app\/api\/fail\/route\.ts:3:\d+\)/);
  });

  test("PORT from the environment", async () => {
    const server = await spawnServer(["start", project.root, "-H", "127.0.0.1"], { env: { PORT: "0" } });
    try {
      assert.equal((await fetch(`${server.url}/api/hello`)).status, 200);
    } finally {
      await server.stop();
    }
  });

  test("next's own flag spellings from migrated scripts: --keepAliveTimeout applies, --turbopack is ignored", async () => {
    const build = spawnSync(process.execPath, [BIN, "build", project.root, "--turbopack"], {
      encoding: "utf8",
    });
    assert.equal(build.status, 0, build.stderr);
    assert.match(build.stdout, /--turbopack is ignored/);
    const server = await spawnServer([
      "start",
      project.root,
      "-p",
      "0",
      "-H",
      "127.0.0.1",
      "--keepAliveTimeout",
      "65000",
    ]);
    try {
      const res = await fetch(`${server.url}/api/hello`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("keep-alive"), "timeout=65");
    } finally {
      await server.stop();
    }
    const bad = spawnSync(process.execPath, [BIN, "start", project.root, "--keepAliveTimeout", "soon"], {
      encoding: "utf8",
    });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /Invalid --keep-alive-timeout "soon"/);
  });
});

describe("approute CLI usage", () => {
  test("--help on each command, exit 0", () => {
    for (const command of ["build", "start", "dev"]) {
      const result = spawnSync(process.execPath, [BIN, command, "--help"], { encoding: "utf8" });
      assert.equal(result.status, 0);
      assert.match(result.stdout, new RegExp(`Usage: approute ${command}`));
    }
  });

  test("unknown command and bad port are usage errors", () => {
    const unknown = spawnSync(process.execPath, [BIN, "serve"], { encoding: "utf8" });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown command "serve"/);
    const badPort = spawnSync(process.execPath, [BIN, "start", ".", "-p", "abc"], { encoding: "utf8" });
    assert.equal(badPort.status, 1);
    assert.match(badPort.stderr, /APR_USAGE/);
  });

  test("start without a build exits 1 and says to build", () => {
    const project = tempProject({ "app/api/hello/route.ts": HELLO });
    try {
      const result = spawnSync(process.execPath, [BIN, "start", project.root, "-p", "0"], {
        encoding: "utf8",
      });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /APR_NO_BUILD/);
      assert.match(result.stderr, /approute build/);
    } finally {
      project.dispose();
    }
  });
});

describe("approute dev", () => {
  const project = tempProject({ "app/api/hello/route.ts": HELLO });
  after(() => project.dispose());

  test("picks up edited, added and removed routes, and isolates compile errors", async () => {
    const server = await spawnServer(["dev", project.root, "-p", "0"]);
    const get = async (path: string) => {
      const res = await fetch(server.url + path);
      return { status: res.status, body: await res.text() };
    };
    try {
      assert.deepEqual(await get("/api/hello"), { status: 200, body: '{"v":1}' });

      project.write("app/api/hello/route.ts", HELLO.replace("v: 1", "v: 2"));
      await until(async () => (await get("/api/hello")).body === '{"v":2}', "the edited route");

      project.write("app/api/new/route.ts", `export const GET = () => new Response("new");\n`);
      await until(async () => (await get("/api/new")).body === "new", "the added route");

      project.write("app/api/broken/route.ts", `export const GET = () => {\n  return new Response("x"\n};\n`);
      await until(async () => (await get("/api/broken")).status === 500, "the broken route to answer 500");
      const broken = await get("/api/broken");
      assert.match(broken.body, /app\/api\/broken\/route\.ts:3/);
      assert.deepEqual(
        await get("/api/hello"),
        { status: 200, body: '{"v":2}' },
        "other routes keep working",
      );
      assert.match(server.output(), /Compile error in app\/api\/broken\/route\.ts/);

      project.remove("app/api/new");
      await until(async () => (await get("/api/new")).status === 404, "the removed route");
    } finally {
      await server.stop();
    }
  });
});

describe("NODE_ENV and NEXT_RUNTIME as the Next.js CLI sets them", () => {
  const project = tempProject({
    "app/api/env/route.ts": `export const dynamic = "force-dynamic";
export function GET() {
  return Response.json({ mode: process.env.NODE_ENV, runtime: process.env.NEXT_RUNTIME });
}
`,
  });
  after(() => project.dispose());
  const env = async (server: { url: string }) => (await fetch(`${server.url}/api/env`)).json();

  test("unset: start and build run in production, dev in development", async () => {
    const build = spawnSync(process.execPath, [BIN, "build", project.root], {
      encoding: "utf8",
      env: { ...process.env, NODE_ENV: "" },
    });
    assert.equal(build.status, 0, build.stderr);
    const start = await spawnServer(["start", project.root, "-p", "0"], { env: { NODE_ENV: "" } });
    try {
      assert.deepEqual(await env(start), { mode: "production", runtime: "nodejs" });
      assert.doesNotMatch(start.output(), /NODE_ENV/);
    } finally {
      await start.stop();
    }
    const dev = await spawnServer(["dev", project.root, "-p", "0"], { env: { NODE_ENV: "" } });
    try {
      assert.deepEqual(await env(dev), { mode: "development", runtime: "nodejs" });
    } finally {
      await dev.stop();
    }
  });

  test("a value already set is kept, with a warning when it is non-standard or contradicts the command", async () => {
    const staging = await spawnServer(["start", project.root, "-p", "0"], { env: { NODE_ENV: "staging" } });
    try {
      assert.deepEqual(await env(staging), { mode: "staging", runtime: "nodejs" });
      assert.match(staging.output(), /NODE_ENV is "staging", not one of production, development, test/);
    } finally {
      await staging.stop();
    }
    const development = await spawnServer(["start", project.root, "-p", "0"], {
      env: { NODE_ENV: "development" },
    });
    try {
      assert.deepEqual(await env(development), { mode: "development", runtime: "nodejs" });
      assert.match(
        development.output(),
        /NODE_ENV is "development" but this command runs in production mode/,
      );
    } finally {
      await development.stop();
    }
  });
});

describe("approute start without undici (#6)", () => {
  // Node loads undici on the first read of a Fetch global; approute's classes link to the real ones
  // only then. This runs in a fresh server process, where nothing else has loaded them.
  const project = tempProject({
    "app/api/plain/route.ts": `import { createRequire } from "node:module";
import { NextResponse, type NextRequest, userAgent } from "next/server";
// Modules a start does not need until a request uses them (#6: cold start).
const loaded = () => ({
  undici: process.moduleLoadList.some((name) => name.includes("undici")),
  crypto: process.moduleLoadList.includes("NativeModule crypto"),
  zlib: process.moduleLoadList.includes("NativeModule zlib"),
  uaParser: Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes("ua-parser-js")),
});
export function GET(request: NextRequest) {
  const before = loaded();
  const browser = request.nextUrl.searchParams.has("ua") ? userAgent(request).browser.name ?? null : null;
  const res = NextResponse.json({ ...before, browser, after: loaded().uaParser, visits: request.cookies.get("v")?.value ?? null });
  res.cookies.set("v", "1");
  return res;
}
`,
    "app/api/check/route.ts": `import { NextRequest, NextResponse } from "next/server";
export function GET(request: NextRequest) {
  const made = NextResponse.json({ a: 1 });
  const tags = [Object.prototype.toString.call(made), Object.prototype.toString.call(request)];
  const built = new NextRequest("https://example.com/a?b=1", { headers: { x: "y" } });
  return Response.json({
    tags,
    responseIsResponse: made instanceof globalThis.Response,
    requestIsRequest: request instanceof globalThis.Request,
    requestIsNextRequest: request instanceof NextRequest,
    builtIsRequest: built instanceof globalThis.Request,
    built: [built.nextUrl.searchParams.get("b"), built.headers.get("x"), built.method, built.cache],
    mode: request.mode,
    headersAreHeaders: request.headers instanceof globalThis.Headers,
    madeStatus: made.status,
    madeType: made.headers.get("content-type"),
  });
}
`,
  });
  after(() => project.dispose());

  test("serves without loading undici, node:crypto, node:zlib or the UA parser, then loads each on first use", async () => {
    const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(build.status, 0, build.stderr);
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      const plain = await fetch(`${server.url}/api/plain`, { headers: { cookie: "v=0" } });
      assert.deepEqual(await plain.json(), {
        undici: false,
        crypto: false,
        zlib: false,
        uaParser: false,
        browser: null,
        after: false,
        visits: "0",
      });
      assert.deepEqual(plain.headers.getSetCookie(), ["v=1; Path=/"]);
      // userAgent() loads its parser on first use, and parses.
      const firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
      const ua = await fetch(`${server.url}/api/plain?ua`, { headers: { "user-agent": firefox } });
      assert.deepEqual(await ua.json(), {
        undici: false,
        crypto: false,
        zlib: false,
        uaParser: false,
        browser: "Firefox",
        after: true,
        visits: null,
      });
      const check = await fetch(`${server.url}/api/check`);
      assert.equal(check.status, 200);
      assert.deepEqual(await check.json(), {
        tags: ["[object Response]", "[object Request]"],
        responseIsResponse: true,
        requestIsRequest: true,
        requestIsNextRequest: true,
        builtIsRequest: true,
        built: ["1", "y", "GET", "default"],
        mode: "cors",
        headersAreHeaders: true,
        madeStatus: 200,
        madeType: "application/json",
      });
    } finally {
      await server.stop();
    }
  });
});

test("build reports a route module that throws at its top level with the route file's own line", () => {
  const project = tempProject({
    "app/api/ok/route.ts": `export function GET() { return Response.json({ ok: true }); }\n`,
    "app/api/boom/route.ts": `const label: string = "typed";\n\nthrow new Error(\`boom \${label}\`);\nexport function GET() { return Response.json({}); }\n`,
  });
  try {
    const result = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /approute build failed: Error: boom typed/);
    assert.match(result.stderr, /app\/api\/boom\/route\.ts:3:\d+\)/);
  } finally {
    project.dispose();
  }
});
