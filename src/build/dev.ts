/**
 * The dev loop behind `approute dev`: build into a fresh generation directory, import it, swap the
 * served app; rebuild on every change under the project. A route that does not compile answers 500
 * with the compile error (file and line) while the other routes keep working.
 * @module
 */
import {
  type FSWatcher,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  watch,
} from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { ErrorCode, formatError, isApprouteError } from "../core/errors.js";
import type { App } from "../runtime/app.js";
import type { Logger } from "../runtime/logger.js";
import { writeTypes } from "../typegen/index.js";
import { type BuildResult, buildProject } from "./build.js";
import { readCacheLifeProfiles, scanWithConfig } from "./config-profiles.js";
import { loadEnvFiles } from "./env-files.js";
import { build as esbuild, formatMessagesSync } from "./esbuild.js";
import { missingPackages } from "./installed.js";
import { BUILD_CONFIG, type FailedRoute } from "./manifest.js";
import { markerPackagesPlugin } from "./marker-packages.js";
import { nextAliasPlugin } from "./next-alias.js";
import type { ScanResult } from "./scan.js";
import { cacheDirectivePlugin } from "./use-cache.js";

export interface DevOptions {
  root: string;
  logger: Logger;
  /** Write route types (typegen) on start and whenever routes are added or removed. Default true. */
  typegen?: boolean;
  /** Called after each successful (re)build with the new app. */
  onReload?: (app: App, result: BuildResult) => void;
}

export interface DevSession {
  app(): App;
  close(): void;
  /** Resolves after the rebuild that is running (or the next one) has finished. */
  settled(): Promise<void>;
}

const IGNORED = /(^|\/)(node_modules|\.approute|\.git|\.next)(\/|$)|^approute-env\.d\.ts$/;

const ROUTE_CODE_ERRORS = new Set<string>([
  ErrorCode.COMPILE_FAILED,
  ErrorCode.CLIENT_ONLY_IMPORT,
  ErrorCode.MODULE_NOT_FOUND,
]);

async function findFailures(scan: ScanResult): Promise<FailedRoute[]> {
  const failed: FailedRoute[] = [];
  await Promise.all(
    scan.routes.map(async (route) => {
      try {
        const result = await esbuild({
          absWorkingDir: scan.root,
          entryPoints: [route.path],
          bundle: true,
          write: false,
          format: "esm",
          platform: "node",
          packages: "external",
          logLevel: "silent",
          metafile: true,
          plugins: [nextAliasPlugin(), markerPackagesPlugin(), cacheDirectivePlugin(scan.root)],
        });
        const missing = missingPackages(
          result.metafile,
          realpathSync(scan.root),
          join(scan.root, ".approute"),
        );
        if (missing.length > 0)
          failed.push({
            file: route.file,
            segments: route.segments,
            message: formatMessagesSync(missing, { kind: "error", color: false }).join("\n"),
          });
      } catch (error) {
        const messages = (error as { errors?: import("esbuild").Message[] }).errors ?? [];
        failed.push({
          file: route.file,
          segments: route.segments,
          message: formatMessagesSync(messages, { kind: "error", color: false }).join("\n"),
        });
      }
    }),
  );
  return failed;
}

/** Starts the dev loop. Resolves after the first build (which may contain failed routes). */
export async function startDev(options: DevOptions): Promise<DevSession> {
  const { root, logger } = options;
  const base = join(root, ".approute", "dev");
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  let generation = 0;
  let current: App | undefined;
  let running: Promise<void> = Promise.resolve();
  let dirty = false;
  let typedRoutes: string | undefined;
  /** The instrumentation file as register() ran it, and as the last rebuild saw it (name and text). */
  let registered: string | undefined;
  let seen: string | undefined;

  async function rebuild(): Promise<void> {
    const gen = ++generation;
    const outDir = join(base, String(gen));
    let result: BuildResult;
    try {
      // An edited .env file takes effect on the next rebuild, as in next dev (before next.config,
      // which may read it).
      loadEnvFiles(root, true, {
        reload: true,
        onChange: (file) => logger.info(`approute: reloaded env from ${file}`),
      });
      // next.config is evaluated here once per rebuild, in the dev phase; the entry takes it (#6).
      const scan = await scanWithConfig(root, "phase-development-server");
      // register() runs once per process (a tracer must not be installed twice); say so when the
      // file changes, as next dev would restart for it. A changed onRequestError applies at once.
      const instrumentation = scan.instrumentation
        ? `${scan.instrumentation.file}\n${readFileSync(scan.instrumentation.path, "utf8")}`
        : undefined;
      if (instrumentation !== undefined && instrumentation !== seen && registered !== undefined)
        if (instrumentation !== registered)
          logger.warn(
            `${scan.instrumentation!.file} changed: register() runs once per process, so restart approute dev to run it again (onRequestError changes apply now).`,
          );
      seen = instrumentation;
      registered ??= instrumentation;
      if (options.typegen !== false) {
        // Typegen follows the route set, not every edit (R38: dev keeps RouteContext current).
        // …and next.config, whose cacheLife profiles type cacheLife() (R103).
        const configStamp = scan.config ? `${scan.config}@${statSync(scan.config).mtimeMs}` : "";
        const signature = `${configStamp}\n${scan.routes.map((r) => r.key).join("\n")}`;
        if (signature !== typedRoutes) {
          let cacheLifeProfiles: string[] = [];
          try {
            cacheLifeProfiles = await readCacheLifeProfiles(root, scan);
          } catch (error) {
            logger.warn(
              `Could not read cacheLife profiles from next.config for types: ${(error as Error).message}`,
            );
          }
          writeTypes(root, scan.routes, { cacheLifeProfiles });
          typedRoutes = signature;
        }
      }
      try {
        result = await buildProject({ root, outDir, dev: true }, [], scan);
      } catch (error) {
        // Errors of one route's code: that route fails (500 with the error), the others are served.
        if (!isApprouteError(error) || !ROUTE_CODE_ERRORS.has(error.code)) throw error;
        const failed = await findFailures(scan);
        for (const f of failed) logger.error(`Compile error in ${f.file}:\n${f.message}`);
        result = await buildProject({ root, outDir, dev: true }, failed, scan);
      }
      const key = Symbol.for(BUILD_CONFIG);
      const global = globalThis as Record<symbol, unknown>;
      let mod: { app: App; create(overrides: { logger: Logger }): App };
      try {
        global[key] = scan.nextConfig;
        mod = (await import(pathToFileURL(result.entry).href)) as typeof mod;
      } finally {
        delete global[key];
      }
      const previous = current;
      // The served app logs through the dev logger (source-mapped stacks, code frames); the
      // entry's default instance is not served, so release what it holds.
      current = mod.create({ logger });
      void mod.app.close();
      // Let in-flight requests of the old generation finish before releasing its connections.
      if (previous) setTimeout(() => void previous.close(), 5000).unref();
      options.onReload?.(current, result);
      // Older generations are no longer imported by anything new; keep the last two for in-flight requests.
      for (const name of readdirSync(base))
        if (Number(name) < gen - 1) rmSync(join(base, name), { recursive: true, force: true });
    } catch (error) {
      logger.error(
        isApprouteError(error) ? formatError(error) : "Rebuild failed:",
        // The user's own error behind ours (register(), a config function), with its stack.
        isApprouteError(error) ? error.cause : error,
      );
      if (!current) throw error;
    }
  }

  function schedule(): void {
    if (dirty) return;
    dirty = true;
    running = running.then(async () => {
      // Coalesce bursts of file events (editors write several times per save).
      await new Promise((r) => setTimeout(r, 30));
      dirty = false;
      await rebuild();
    });
  }

  await rebuild();
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(root, { recursive: true }, (_event, filename) => {
      if (!filename) return schedule();
      const rel = relative(root, join(root, filename.toString())).split("\\").join("/");
      if (IGNORED.test(rel)) return;
      schedule();
    });
  } catch (error) {
    logger.warn(
      `File watching is unavailable (${(error as Error).message}); restart approute dev to pick up changes.`,
    );
  }

  return {
    app: () => current!,
    close: () => watcher?.close(),
    settled: () => running,
  };
}
