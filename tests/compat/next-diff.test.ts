// Differential check against real Next.js 16 (a test-only devDependency): the same fixture app is
// built and served by `next build && next start` and by approute, the same requests go to both, and
// status, headers and bodies are compared. Deliberate differences (spec §0, A1–A7) are asserted as
// such, so a change on either side shows up here. This is the start of the compatibility suite;
// later issues add cases to `cases` and files to tests/compat/app.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type RawResponse, rawRequest } from "../helpers/raw.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./app/", import.meta.url));

/** Headers that legitimately differ per server or per response and are never compared. */
const IGNORED = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length", "vary"]);

interface Case {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Compare only the status (Next answers with its HTML pages). */
  statusOnly?: boolean;
  /** A deliberate difference: check approute's side against this instead of Next's header value. */
  differs?: { header: string; next: string | RegExp | null; approute: string | null; why: string };
  /** Set-Cookie values with a time in them: compare without `Expires=`. */
  cookieTimes?: boolean;
}

const cases: Case[] = [
  { name: "R1 static JSON route", path: "/api/hello" },
  { name: "R3 dynamic param + nextUrl", path: "/api/items/42?q=1" },
  { name: "R14 encoded slash in a param", path: "/api/items/a%2Fb" },
  { name: "R14 utf-8 param", path: "/api/items/caf%C3%A9" },
  {
    name: "R42 request.url ignores the Host header",
    path: "/api/items/h",
    headers: { host: "evil.example" },
  },
  { name: "R4 catch-all", path: "/api/docs/a/b/c" },
  { name: "R16 catch-all elements decoded", path: "/api/docs/a%20b/c" },
  { name: "R4 catch-all needs a segment", path: "/api/docs", statusOnly: true },
  { name: "R5 optional catch-all empty", path: "/api/opt" },
  { name: "R5 optional catch-all", path: "/api/opt/x/y" },
  { name: "R8 static beats dynamic", path: "/api/p/new" },
  { name: "R8 dynamic", path: "/api/p/other" },
  { name: "R8 catch-all", path: "/api/p/a/b" },
  { name: "R6 route group", path: "/grp" },
  { name: "R7 private folder", path: "/_private/x", statusOnly: true },
  { name: "unknown path", path: "/nope", statusOnly: true },
  { name: "R11 trailing slash", path: "/api/hello/?q=1" },
  { name: "R13 double slash", path: "/api//hello" },
  {
    name: "R19/A1 405",
    method: "POST",
    path: "/api/hello",
    differs: {
      header: "allow",
      next: null,
      approute: "GET, HEAD, OPTIONS",
      why: "RFC 9110 requires Allow on 405",
    },
  },
  { name: "R22 automatic OPTIONS", method: "OPTIONS", path: "/api/hello" },
  { name: "R22 automatic OPTIONS, POST/PUT", method: "OPTIONS", path: "/api/methods" },
  { name: "R23 exported OPTIONS", method: "OPTIONS", path: "/api/custom-options" },
  { name: "R20 HEAD via GET", method: "HEAD", path: "/api/hello" },
  {
    name: "R21 HEAD without GET",
    method: "HEAD",
    path: "/api/methods",
    differs: { header: "allow", next: null, approute: "OPTIONS, POST, PUT", why: "A1" },
  },
  { name: "R18 unknown method", method: "PROPFIND", path: "/api/hello" },
  {
    name: "POST body",
    method: "POST",
    path: "/api/methods",
    body: "hello",
    headers: { "content-type": "text/plain" },
  },
  { name: "204 from a handler", method: "PUT", path: "/api/methods" },
  { name: "R25 throw", path: "/api/throws" },
  { name: "R24 non-Response", path: "/api/bad-return" },
  { name: "R31 NextResponse.next() in a handler", path: "/api/next-in-handler" },
  { name: "R27 notFound()", path: "/api/not-found" },
  { name: "R29 redirect() keeps cookies()", path: "/api/redirect" },
  { name: "R29 permanentRedirect()", path: "/api/redirect?permanent=1" },
  { name: "R34/R44/R48 context and request cookies", path: "/api/ctx", headers: { cookie: "a=1; b=2" } },
  {
    name: "R55-R61 cookies() merged with response cookies",
    path: "/api/cookies",
    headers: { cookie: "old=1" },
    cookieTimes: true,
  },
  { name: "default content type of a string body", path: "/api/text" },
  // Cookies (#3): every Set-Cookie string must be byte-identical.
  {
    name: "R56-R58 cookies().set/delete with every option",
    path: "/api/ck/set",
    headers: { cookie: "old=1" },
  },
  { name: "R55/R59 NextResponse cookies: chain, overwrite, delete, raw append", path: "/api/ck/response" },
  { name: "R61 cookies() merged; the response's own cookie normalised", path: "/api/ck/merge" },
  { name: "R62 raw Set-Cookie passes through verbatim", path: "/api/ck/raw" },
  { name: "R29 redirect() with cookies()", path: "/api/ck/redirect" },
  { name: "R57 maxAge adds Max-Age and Expires", path: "/api/ck/maxage", cookieTimes: true },
  {
    name: "R44/R45/R65 request cookie parsing",
    path: "/api/ck/read",
    headers: { cookie: "flag; x=%20; bad=%E0%A4%A; a=1; a=2; sp=a b;  tail=t" },
  },
  {
    name: "R46 request.cookies mutations stay on the request",
    path: "/api/ck/reqset",
    headers: { cookie: "a=1; b=2" },
  },
  {
    name: "R65/R66 cookies() store read-your-writes",
    path: "/api/ck/jar",
    headers: { cookie: "old=1; keep=2" },
  },
  { name: "R131 proxy cookies first, then the response's, then cookies()", path: "/api/ck/proxied" },
  // Proxy (#3, spec §10).
  {
    name: "R128 next({ request: { headers } }); proxy headers beat config headers",
    path: "/api/px/headers",
    headers: { "x-drop-me": "1" },
  },
  {
    name: "R129/A4 proxy rewrite serves another route",
    path: "/api/px/rewrite",
    differs: {
      header: "x-middleware-rewrite",
      // Next relativises it only when the Host matches its own origin.
      next: /^(?:http:\/\/localhost:\d+)?\/api\/hello$/,
      approute: null,
      why: "A4: no internal header leaves the server",
    },
  },
  { name: "R130 proxy redirect, same origin → relative Location", path: "/api/px/redirect" },
  { name: "R130 proxy 308 redirect to another origin", path: "/api/px/permanent" },
  { name: "R130 proxy short-circuit Response", path: "/api/px/deny" },
  {
    name: "R133 x-middleware-subrequest cannot skip the proxy",
    path: "/api/px/guard",
    headers: { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
  },
  {
    name: "R133 the gate opens with the real cookie",
    path: "/api/px/guard",
    headers: { cookie: "role=admin" },
  },
  // next.config (#3, spec §12).
  { name: "R149 redirects() 307", path: "/cfg-old?a=1" },
  { name: "R149 redirects() 308 with params and query merge", path: "/cfg-perm/5?x=9&y=2" },
  { name: "R148/R150 headers() on the requested path + afterFiles rewrite", path: "/cfg/7" },
  { name: "R150 beforeFiles rewrite", path: "/cfg-bf/8" },
  { name: "R150 fallback rewrite", path: "/cfg-fb/x/y" },
];

function raw(c: Case): string {
  const headers = { host: "localhost", connection: "close", ...c.headers };
  if (c.body !== undefined) Object.assign(headers, { "content-length": String(Buffer.byteLength(c.body)) });
  let text = `${c.method ?? "GET"} ${c.path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
  return `${text}\r\n${c.body ?? ""}`;
}

function comparable(res: RawResponse, c: Case, origin: string) {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(res.headers)) {
    if (IGNORED.has(name)) continue;
    let value = values.join("\n");
    if (name === "set-cookie" && c.cookieTimes) value = value.replace(/; Expires=[^;]*/g, "; Expires=<time>");
    headers[name] = value;
  }
  // Both servers report their own origin in request.url (R42): compare the paths.
  return { status: res.status, headers, body: res.body.replaceAll(origin, "<origin>") };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

describe("differential: approute vs next start", { timeout: 600_000 }, () => {
  let dir: string;
  let next: ChildProcess;
  let nextUrl: string;
  let approute: FixtureServer;

  before(async () => {
    // Inside the repository (git-ignored): Turbopack only compiles below the workspace root, and
    // both servers then resolve `next`/`approute` from the repository's own install.
    mkdirSync(join(REPO, ".compat-work"), { recursive: true });
    dir = mkdtempSync(join(REPO, ".compat-work", "run-"));
    cpSync(FIXTURE, dir, { recursive: true });
    const nextBin = join(REPO, "node_modules", "next", "dist", "bin", "next");
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };
    const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: dir, env, encoding: "utf8" });
    assert.equal(build.status, 0, `next build failed:\n${build.stdout}\n${build.stderr}`);
    const port = await freePort();
    next = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      next.stdout!.on("data", (d) => {
        out += d;
        if (/Ready|started server|Local:/i.test(out)) resolve();
      });
      next.once("exit", (code) => reject(new Error(`next start exited ${code}: ${out}`)));
    });
    nextUrl = `http://127.0.0.1:${port}`;
    approute = await startFixture("compat", { root: dir });
  });

  after(async () => {
    next?.kill();
    await approute?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    test(c.name, async () => {
      const head = c.method === "HEAD";
      const [a, b] = await Promise.all([
        rawRequest(nextUrl, raw(c), { head }),
        rawRequest(approute.url, raw(c), { head }),
      ]);
      const nextSide = comparable(a, c, nextUrl.replace("127.0.0.1", "localhost"));
      const ours = comparable(b, c, approute.url);
      if (c.statusOnly) {
        assert.equal(ours.status, nextSide.status);
        return;
      }
      if (c.differs) {
        const { header, next: nextValue, approute: ourValue } = c.differs;
        if (nextValue instanceof RegExp)
          assert.match(nextSide.headers[header] ?? "", nextValue, `next's ${header} changed`);
        else assert.equal(nextSide.headers[header] ?? null, nextValue, `next's ${header} changed`);
        assert.equal(ours.headers[header] ?? null, ourValue, `approute's ${header}`);
        delete nextSide.headers[header];
        delete ours.headers[header];
      }
      assert.deepEqual(ours, nextSide);
    });
  }
});
