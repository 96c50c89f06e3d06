// Real `next build && next start` for the differential suites: the fixture is copied into a
// git-ignored folder inside the repository (Turbopack only compiles below the workspace root, and
// `next`/`approute` then resolve from the repository's own install), built, and served on a free
// loopback port.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

export interface NextServer {
  /** The copy of the fixture both servers build from. */
  dir: string;
  /** `http://<host>:<port>`, to connect to. */
  url: string;
  /** The origin Next reports in `request.url` and absolute redirects. */
  origin: string;
  /** The tail of what next start wrote to stderr (its logged errors). */
  stderr(): string;
  close(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface StartNextOptions {
  /**
   * The `-H` address next start listens on (default `127.0.0.1`). Bound to `127.0.0.1`, next start
   * 16.4.6 takes a proxy rewrite for one to another origin (its proxy's `request.url` says
   * `localhost`, its router `127.0.0.1`) and forwards it to itself over HTTP: the rewritten request
   * runs the whole routing again — next.config `headers()` of both paths, `redirects()` and the
   * proxy on the target — and its handler sees the target URL. With `localhost` (as with no `-H` or
   * `-H 0.0.0.0`, what deployments use) a proxy rewrite stays inside one routing pass (R127, R129);
   * the server is then asked at `http://localhost:<port>`. Suites whose fixture has proxy rewrites
   * use `localhost` (and serve approute on `localhost` too, for the same X-Forwarded-Host, R47).
   */
  host?: "127.0.0.1" | "localhost";
}

/**
 * Copies `fixture` (an app directory), runs `next build` in the copy and starts `next start`.
 * `prepare` may change the copy first (a variant's next.config).
 */
export async function startNext(
  fixture: string,
  prepare?: (dir: string) => void,
  options: StartNextOptions = {},
): Promise<NextServer> {
  const host = options.host ?? "127.0.0.1";
  mkdirSync(join(REPO, ".compat-work"), { recursive: true });
  const dir = mkdtempSync(join(REPO, ".compat-work", "run-"));
  cpSync(fixture, dir, { recursive: true });
  prepare?.(dir);
  const nextBin = join(REPO, "node_modules", "next", "dist", "bin", "next");
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: dir, env, encoding: "utf8" });
  assert.equal(build.status, 0, `next build failed:\n${build.stdout}\n${build.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", host], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Read stderr so a chatty server never blocks on a full pipe; keep the tail for diagnostics.
  let errors = "";
  child.stderr!.on("data", (d) => {
    errors = (errors + d).slice(-20_000);
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (/Ready|started server|Local:/i.test(out)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`next start exited ${code}: ${out}`)));
  });
  return {
    dir,
    url: `http://${host}:${port}`,
    origin: `http://localhost:${port}`,
    stderr: () => errors,
    close() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
