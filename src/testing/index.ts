/**
 * `approute/testing`: unit-test route handlers in-process. `createTestClient({ dir })` builds the
 * app (or reuses its last build) and returns a client whose `fetch(path, init)` calls the app's
 * Web-standard `fetch` entry directly — the real router, dispatch, `next/headers` and response
 * handling, with no port and no HTTP parsing.
 *
 * @example
 * const client = await createTestClient({ dir: "." });
 * const res = await client.fetch("/api/users/1", { headers: { cookie: "theme=dark" } });
 * assert.equal(res.status, 200);
 * await client.close();
 * @module
 */
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildProject } from "../build/build.js";
import { loadEnvFiles } from "../build/env-files.js";
import { loadBuild } from "../build/load.js";
import type { Manifest } from "../build/manifest.js";
import type { App } from "../runtime/app.js";
import type { Logger } from "../runtime/logger.js";

export interface TestClientOptions {
  /** Project root (holds app/ or src/app/). Relative paths resolve against the working directory. */
  dir: string;
  /**
   * `true`: serve the existing `approute build` output in `<dir>/.approute/server` (built first if it
   * is missing). Default `false`: build from source into a private directory removed by `close()`.
   */
  reuseBuild?: boolean;
  /** Origin for relative paths (and `request.url`); default `http://localhost`. */
  origin?: string;
  /** Where the app logs handler errors; default the console. */
  logger?: Logger;
}

export interface TestClient {
  /** Calls the app in-process. `input` is a path (`/api/x?y=1`), an absolute URL or a Request. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** The app instance (router, config) behind the client. */
  readonly app: App;
  readonly manifest: Manifest;
  /** Closes the app (background module loads, Redis connections), then removes the private build directory (kept for a reused build). */
  close(): Promise<void>;
}

let sequence = 0;

/** Builds (or reuses a build of) the app in `dir` and returns an in-process client. */
export async function createTestClient(options: TestClientOptions): Promise<TestClient> {
  const root = resolve(options.dir);
  // The project's .env files, as next/jest loads them: .env.test and .env when NODE_ENV is "test"
  // (test runners set it), the production files otherwise; .env.local never in test.
  loadEnvFiles(root, false);
  const origin = options.origin ?? "http://localhost";
  const overrides = options.logger ? { logger: options.logger } : undefined;
  let outDir: string;
  let owned = false;
  if (options.reuseBuild) {
    outDir = join(root, ".approute", "server");
    if (!existsSync(join(outDir, "entry.mjs"))) await buildProject({ root });
  } else {
    // One directory per client, so parallel test files never rebuild under each other.
    outDir = join(root, ".approute", `test-${process.pid}-${++sequence}`);
    owned = true;
    await buildProject({ root, outDir });
  }
  const { app, manifest } = await loadBuild(root, outDir, overrides);
  return {
    app,
    manifest,
    fetch(input, init) {
      const request =
        input instanceof Request
          ? init
            ? new Request(input, init)
            : input
          : new Request(typeof input === "string" && input.startsWith("/") ? origin + input : input, init);
      return app.fetch(request);
    },
    async close() {
      // Stops background module loads (and shared-cache connections) before the build goes.
      await app.close();
      if (owned) rmSync(outDir, { recursive: true, force: true });
    },
  };
}
