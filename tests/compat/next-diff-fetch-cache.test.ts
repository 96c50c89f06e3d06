// Differential check of the fetch data cache (R78, R80, R85) against real Next.js 16:
// tests/fixtures/fetch-cache is built and served by `next build && next start` and by approute, both
// fetching from one counting upstream server started here. For every GET both servers must agree on
// status, `x-nextjs-cache`, `cache-control`, and on whether two requests in a row get the same
// upstream answer (cached) or a new one. Upstream counters are shared, so bodies are not compared.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("../fixtures/fetch-cache/", import.meta.url));

/**
 * Paths and whether two requests in a row see the same upstream answer; `cacheState: false` skips
 * comparing `x-nextjs-cache` (a prerendered entry whose 5 s revalidate may have passed since build).
 */
const CASES: Array<{ path: string; same: boolean; cacheState?: false }> = [
  { path: "/api/force", same: true },
  { path: "/api/copies", same: true },
  { path: "/api/nostore", same: false },
  { path: "/api/default", same: false },
  { path: "/api/tags-only", same: false },
  { path: "/api/timed", same: true },
  { path: "/api/tagged", same: true },
  { path: "/api/post-body?body=one", same: true },
  { path: "/api/auth?token=a", same: true },
  { path: "/api/request-input?mode=request", same: true },
  { path: "/api/request-input?mode=init", same: true },
  { path: "/api/request-input?mode=stream", same: true },
  { path: "/api/segment-force", same: true },
  { path: "/api/segment-force?nostore", same: true },
  { path: "/api/segment-nostore", same: false },
  { path: "/api/segment-nostore?force", same: true },
  { path: "/api/default-cache", same: true },
  { path: "/api/default-cache?nostore", same: false },
  { path: "/api/force-dynamic", same: false },
  { path: "/api/force-dynamic?timed", same: true },
  { path: "/api/isr-nostore", same: false },
  { path: "/api/isr", same: true, cacheState: false },
  { path: "/api/big", same: false },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function observe(origin: string, path: string, cacheState: boolean) {
  const a = await fetch(origin + path);
  const b = await fetch(origin + path);
  const [bodyA, bodyB] = [await a.text(), await b.text()];
  return {
    status: b.status,
    first: cacheState ? a.headers.get("x-nextjs-cache") : "(not compared)",
    cache: cacheState ? b.headers.get("x-nextjs-cache") : "(not compared)",
    cacheControl: b.headers.get("cache-control"),
    same: bodyA === bodyB,
  };
}

describe("differential: fetch data cache, approute vs next start", { timeout: 600_000 }, () => {
  let dir: string;
  let next: ChildProcess;
  let nextUrl: string;
  let approute: FixtureServer;
  let upstream: Upstream;

  before(async () => {
    upstream = await startUpstream();
    process.env.FETCH_CACHE_UPSTREAM = upstream.url;
    // Inside the repository (git-ignored), as the other differential tests: Turbopack compiles only
    // below the workspace root.
    mkdirSync(join(REPO, ".compat-work"), { recursive: true });
    dir = mkdtempSync(join(REPO, ".compat-work", "fetch-"));
    cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.includes(".approute") });
    // "use cache" needs cacheComponents in Next, which forbids the segment config the rest uses.
    rmSync(join(dir, "app", "api", "in-use-cache"), { recursive: true, force: true });
    // Plain JavaScript for Next (TypeScript would make `next build` install @types/react here).
    for (const entry of readdirSync(join(dir, "app"), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
      const file = join(entry.parentPath, entry.name);
      // No `format`: esbuild keeps `export const` as written (Next reads segment config from it).
      const { code } = transformSync(readFileSync(file, "utf8"), { loader: "ts" });
      writeFileSync(file.replace(/\.ts$/, ".js"), code);
      rmSync(file);
    }
    const nextBin = join(REPO, "node_modules", "next", "dist", "bin", "next");
    const env = {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
      FETCH_CACHE_UPSTREAM: upstream.url,
    };
    // Not spawnSync: the build fetches from the upstream this process serves.
    const build = spawn(process.execPath, [nextBin, "build"], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buildOutput = "";
    build.stdout!.on("data", (d) => (buildOutput += d));
    build.stderr!.on("data", (d) => (buildOutput += d));
    const status = await new Promise<number | null>((resolve) => build.once("close", resolve));
    assert.equal(status, 0, `next build failed:\n${buildOutput}`);
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
    approute = await startFixture("fetch-cache", { root: dir });
  });

  after(async () => {
    next?.kill();
    await approute?.close();
    await upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const { path, same, cacheState } of CASES) {
    test(`GET ${path}`, async () => {
      const theirs = await observe(nextUrl, path, cacheState !== false);
      const ours = await observe(approute.url, path, cacheState !== false);
      assert.equal(theirs.same, same, "next's behaviour changed");
      assert.deepEqual(ours, theirs);
    });
  }

  test("GET /api/only-cache: both answer 500 for a no-store fetch", async () => {
    const theirs = await fetch(`${nextUrl}/api/only-cache`);
    const ours = await fetch(`${approute.url}/api/only-cache`);
    assert.equal(theirs.status, 500);
    assert.equal(ours.status, 500);
  });
});
