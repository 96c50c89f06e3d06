// Temporary projects outside the repository, with approute linked into node_modules the way an
// installed package would be, and the CLI spawned as a user runs it.
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(REPO, "bin", "approute.js");

export interface TempProject {
  root: string;
  write(path: string, content: string): void;
  remove(path: string): void;
  dispose(): void;
}

/** A fresh project dir with `files` (path → content), optionally seeded from a fixture dir. */
export function tempProject(files: Record<string, string> = {}, seed?: string): TempProject {
  const root = mkdtempSync(join(tmpdir(), "approute-test-"));
  mkdirSync(join(root, "node_modules"));
  symlinkSync(REPO, join(root, "node_modules", "approute"), "dir");
  if (seed) cpSync(seed, root, { recursive: true, filter: (src) => !src.includes(".approute") });
  const project: TempProject = {
    root,
    write(path, content) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    remove(path) {
      rmSync(join(root, path), { recursive: true, force: true });
    },
    dispose() {
      rmSync(root, { recursive: true, force: true });
    },
  };
  for (const [path, content] of Object.entries(files)) project.write(path, content);
  return project;
}

export interface CliServer {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `approute <args>` and resolves once it prints "ready on <url>". */
export function spawnServer(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliServer> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  // "close", not "exit": it fires only once stdout/stderr are drained, so output() is complete when
  // stop() resolves (under load "exit" can come before the last lines are read).
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/ready on (http:\/\/\S+)/);
      if (match) {
        resolve({
          url: match[1]!,
          child,
          output: () => out,
          async stop(signal = "SIGTERM") {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`approute ${args.join(" ")} exited with ${code} before listening:\n${out}`)),
    );
  });
}

/**
 * A test clock for `overrides.now`: real time plus `skew()` milliseconds, with sub-millisecond
 * precision like the server's own default clock. A whole-millisecond clock lets an entry rendered in
 * the same millisecond as a tag invalidation count as invalidated, and the next request miss again.
 */
export function skewedClock(skew: () => number): () => number {
  return () => performance.timeOrigin + performance.now() + skew();
}

/** Polls `check` (an HTTP probe) until it returns true; each probe is a real request, not a sleep. */
export async function until(check: () => Promise<boolean>, what: string, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
