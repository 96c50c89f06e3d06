// Differential check of cookies and Set-Cookie serialisation (R44–R46, R55–R62, R65, R66, R131):
// the same fixture (tests/fixtures/compat-cookies) is served by real `next start` (Next 16, built
// with webpack in a temp dir) and by approute; every Set-Cookie string, status, Location and body
// must be identical. Expires values that depend on the clock (maxAge) are compared as
// "now + maxAge" within the test's own duration, on both sides.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FIXTURES, type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { REPO } from "../helpers/project.ts";

const FIXTURE = join(FIXTURES, "compat-cookies");

let approute: FixtureServer;
let next: { url: string; child: ChildProcess; dir: string };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(dir: string, args: string[], until?: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(dir, "node_modules/next/dist/bin/next"), ...args], {
    cwd: dir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (until?.test(out)) resolve(child);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      if (until === undefined && code === 0) resolve(child);
      else reject(new Error(`next ${args.join(" ")} exited with ${code}:\n${out}`));
    });
  });
}

async function startNext(): Promise<{ url: string; child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "approute-next-compat-"));
  cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.includes(".approute") });
  writeFileSync(join(dir, "package.json"), '{ "name": "compat-cookies", "private": true }\n');
  // The repo's own install (next is a devDependency), linked entry by entry so Next sees a normal tree.
  const modules = join(dir, "node_modules");
  const repoModules = join(REPO, "node_modules");
  mkdirSync(modules);
  for (const entry of readdirSync(repoModules)) symlinkSync(join(repoModules, entry), join(modules, entry));
  await run(dir, ["build", "--webpack"]);
  const port = await freePort();
  const child = await run(dir, ["start", "-p", String(port), "-H", "127.0.0.1"], /Ready|started server/i);
  return { url: `http://127.0.0.1:${port}`, child, dir };
}

before(async () => {
  [approute, next] = await Promise.all([startFixture("compat-cookies"), startNext()]);
});

after(async () => {
  await approute?.close();
  if (next) {
    const exited = new Promise((r) => next.child.once("exit", r));
    next.child.kill("SIGTERM");
    await exited;
    rmSync(next.dir, { recursive: true, force: true });
  }
});

interface Observed {
  status: number;
  location: string | null;
  setCookie: string[];
  body: string;
  headers: Record<string, string | null>;
}

async function observe(
  base: string,
  path: string,
  cookie?: string,
  headerNames: string[] = [],
): Promise<Observed> {
  const res = await fetch(base + path, { redirect: "manual", headers: cookie ? { cookie } : {} });
  const headers: Record<string, string | null> = {};
  for (const name of headerNames) headers[name] = res.headers.get(name);
  return {
    status: res.status,
    location: res.headers.get("location"),
    setCookie: res.headers.getSetCookie(),
    body: await res.text(),
    headers,
  };
}

/** Replaces an Expires that maxAge computed with a marker, after checking it is now + maxAge. */
function normaliseExpires(cookies: string[], started: number, ended: number): string[] {
  return cookies.map((cookie) => {
    const maxAge = /; Max-Age=(\d+)/.exec(cookie);
    if (maxAge === null || Number(maxAge[1]) === 0) return cookie;
    return cookie.replace(/; Expires=([^;]+)/, (_, date: string) => {
      const at = Date.parse(date);
      const seconds = Number(maxAge[1]) * 1000;
      // Expires has one-second resolution.
      assert.ok(
        at >= started + seconds - 1000 && at <= ended + seconds + 1000,
        `${cookie}: Expires is not now + Max-Age`,
      );
      return "; Expires=<now+maxAge>";
    });
  });
}

async function compare(path: string, cookie?: string, options: { headers?: string[]; body?: boolean } = {}) {
  const started = Date.now();
  const [a, n] = await Promise.all([
    observe(approute.url, path, cookie, options.headers),
    observe(next.url, path, cookie, options.headers),
  ]);
  const ended = Date.now();
  assert.equal(a.status, n.status, `${path}: status`);
  assert.equal(a.location, n.location, `${path}: Location`);
  assert.deepEqual(
    normaliseExpires(a.setCookie, started, ended),
    normaliseExpires(n.setCookie, started, ended),
    `${path}: Set-Cookie`,
  );
  if (options.body !== false) assert.deepEqual(a.body, n.body, `${path}: body`);
  assert.deepEqual(a.headers, n.headers, `${path}: headers`);
  return { approute: a, next: n };
}

describe("Set-Cookie and cookie APIs are identical to next start", () => {
  test("cookies().set/delete with every option (R56–R58, R66)", async () => {
    const { next: n } = await compare("/api/ck/set", "old=1");
    assert.ok(n.setCookie.length >= 8, "the reference itself produced the cookies");
  });

  test("NextResponse cookies: chain, overwrite, delete, a raw header appended (R55, R59)", async () => {
    await compare("/api/ck/response", undefined, { headers: ["x-get", "x-has"] });
  });

  test("cookies() merged with the handler's own Set-Cookie (R61)", async () => {
    await compare("/api/ck/merge");
  });

  test("untouched raw Set-Cookie headers pass through verbatim (R62)", async () => {
    const { next: n } = await compare("/api/ck/raw");
    assert.deepEqual(n.setCookie, ["token=abc;HttpOnly", "other=x y; Max-Age=10; SameSite=Lax"]);
  });

  test("redirect() keeps cookies() mutations (R29)", async () => {
    await compare("/api/ck/redirect", undefined, { body: false });
  });

  test("maxAge writes Max-Age and Expires = now + maxAge (R57)", async () => {
    await compare("/api/ck/maxage");
  });

  test("request cookie parsing: bare names, escapes, bad escapes, duplicates (R44, R45, R65)", async () => {
    await compare("/api/ck/read", "flag; x=%20; bad=%E0%A4%A; a=1; a=2; sp=a b;  tail=t");
  });

  test("request.cookies mutations stay on the request (R46)", async () => {
    const { next: n } = await compare("/api/ck/reqset", "a=1; b=2");
    assert.deepEqual(n.setCookie, []);
  });

  test("the cookies() store: read-your-writes, delete, has, toString (R65, R66)", async () => {
    await compare("/api/ck/jar", "old=1; keep=2");
  });

  test("proxy cookies come first, then the response's, then cookies() (R131)", async () => {
    const { next: n } = await compare("/api/ck/proxied");
    assert.equal(n.setCookie[0], "p1=from%20proxy; Path=/");
  });
});
