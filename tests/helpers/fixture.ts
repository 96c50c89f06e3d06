// Builds a fixture app with the real build, serves it on a loopback port with the real Node server,
// and captures the runtime's log lines.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type App,
  type AppOptions,
  buildProject,
  loadBuild,
  type RunningServer,
  type ServeOptions,
  serve,
} from "approute";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export interface CapturedLog {
  level: "error" | "warn" | "info";
  message: string;
  error?: unknown;
}

export interface FixtureServer {
  url: string;
  app: App;
  server: RunningServer;
  logs: CapturedLog[];
  root: string;
  outDir: string;
  close(): Promise<void>;
}

export function captureLogger(logs: CapturedLog[]) {
  return {
    error: (message: string, error?: unknown) => logs.push({ level: "error", message, error }),
    warn: (message: string) => logs.push({ level: "warn", message }),
    info: (message: string) => logs.push({ level: "info", message }),
  };
}

/** Builds `tests/fixtures/<name>` into a private output dir and serves it on 127.0.0.1:0. */
/** `overrides` are extra createApp options (an injected clock, cache handlers, …). */
export async function startFixture(
  name: string,
  options: { root?: string; overrides?: Partial<AppOptions>; serve?: ServeOptions } = {},
): Promise<FixtureServer> {
  const root = options.root ?? join(FIXTURES, name);
  const outDir = join(root, ".approute", `test-${randomUUID()}`);
  const logs: CapturedLog[] = [];
  const logger = captureLogger(logs);
  await buildProject({ root, outDir });
  const { app } = await loadBuild(root, outDir, { logger, ...options.overrides });
  const server = await serve(() => app, { port: 0, hostname: "127.0.0.1", logger, ...options.serve });
  return {
    url: server.url,
    app,
    server,
    logs,
    root,
    outDir,
    async close() {
      await server.close();
      await app.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
