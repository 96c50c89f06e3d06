// Differential check of the `cacheComponents: true` prerender (R90, R102, R116) against real Next.js
// 16: tests/fixtures/cache-components is built and served by `next build && next start` and by
// approute, and for every GET both servers must agree on whether it is prerendered
// (`x-nextjs-cache`, `cache-control`) and — where that is deterministic — whether its body changes
// between two requests. Bodies themselves hold times and random values, so they are not compared.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = fileURLToPath(new URL("../fixtures/cache-components/", import.meta.url));

/** Paths and whether their body is the same on two requests (undefined: depends on the clock). */
const CASES: Array<[path: string, sameBody: boolean | undefined]> = [
  ["/constant", true],
  ["/pathname", true],
  ["/microtask", true],
  ["/use-cache", true],
  ["/use-cache-io", true],
  ["/minutes", true],
  ["/expire-300", true],
  ["/nested-outer-hours", true],
  ["/now", undefined],
  ["/new-date", undefined],
  ["/random", false],
  ["/uuid", false],
  ["/node-uuid", false],
  ["/timeout", true],
  ["/immediate", true],
  ["/fetch", false],
  ["/db", true],
  ["/use-cache-then-now", undefined],
  ["/connection", undefined],
  ["/seconds", true],
  ["/expire-299", true],
  ["/revalidate-0", undefined],
  ["/nested-outer-seconds", true],
  ["/with-post", true],
  ["/fetch-force-cache", true],
  ["/fetch-revalidate", true],
  ["/q/a", true],
  ["/gc/a", true],
  ["/gc/b", true],
  ["/g/a", undefined],
  ["/g/b", undefined],
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

async function observe(origin: string, path: string) {
  const a = await fetch(origin + path);
  const b = await fetch(origin + path);
  const [bodyA, bodyB] = [await a.text(), await b.text()];
  return {
    status: b.status,
    first: a.headers.get("x-nextjs-cache"),
    cache: b.headers.get("x-nextjs-cache"),
    cacheControl: b.headers.get("cache-control"),
    sameBody: bodyA === bodyB,
  };
}

describe("differential: cacheComponents prerender, approute vs next start", { timeout: 600_000 }, () => {
  let dir: string;
  let next: ChildProcess;
  let nextUrl: string;
  let approute: FixtureServer;
  let upstream: Server;
  let hits = 0;

  before(async () => {
    upstream = createHttpServer((_req, res) => res.end(`upstream-${++hits}`));
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    process.env.UPSTREAM_URL = upstreamUrl;
    // Inside the repository (git-ignored), as in next-diff.test.ts: Turbopack compiles only below
    // the workspace root.
    mkdirSync(join(REPO, ".compat-work"), { recursive: true });
    dir = mkdtempSync(join(REPO, ".compat-work", "cc-"));
    cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.includes(".approute") });
    // Next fails the whole build on this one (a short-lived cache nested in an outer one without
    // cacheLife); approute makes it dynamic, which tests/cache/cache-components.test.ts covers.
    rmSync(join(dir, "app", "nested-outer-default"), { recursive: true, force: true });
    // Plain JavaScript for Next: TypeScript files would make `next build` install @types/react into
    // the repository (the compat app of next-diff.test.ts is JavaScript for the same reason).
    for (const entry of readdirSync(join(dir, "app"), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
      const file = join(entry.parentPath, entry.name);
      const { code } = transformSync(readFileSync(file, "utf8"), { loader: "ts", format: "esm" });
      writeFileSync(file.replace(/\.ts$/, ".js"), code);
      rmSync(file);
    }
    const nextBin = join(REPO, "node_modules", "next", "dist", "bin", "next");
    const env = {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
      UPSTREAM_URL: upstreamUrl,
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
    approute = await startFixture("cache-components", { root: dir });
  });

  after(async () => {
    next?.kill();
    await approute?.close();
    upstream?.close();
    delete process.env.UPSTREAM_URL;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [path, sameBody] of CASES) {
    test(`GET ${path}`, async () => {
      const theirs = await observe(nextUrl, path);
      const ours = await observe(approute.url, path);
      if (sameBody === undefined) {
        theirs.sameBody = ours.sameBody = true;
      } else {
        assert.equal(theirs.sameBody, sameBody, "next's body behaviour changed");
      }
      assert.deepEqual(ours, theirs);
    });
  }
});
