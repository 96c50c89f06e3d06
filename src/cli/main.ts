/**
 * The `approute` command: `build`, `start`, `dev`. Argument parsing and wiring only; the work lives in
 * build/, runtime/ and adapters/. Exit codes: 0 ok, 1 build/start failure, 2 usage error.
 * @module
 */
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { buildProject } from "../build/build.js";
import { loadEnvFiles } from "../build/env-files.js";
import type { WorkerBundle } from "../build/worker.js";
import { ApprouteError, ErrorCode, isApprouteError } from "../core/errors.js";
import { parseServerFlags, SERVER_FLAGS, SERVER_FLAGS_HELP, WORKERS_HELP } from "./serve-options.js";

// Cold start: `start` never loads the compiler (esbuild, acorn, magic-string) or typegen, and `build`
// never loads the server (node:http, node:cluster, the listener); each command imports what it needs
// below (measured: importing the CLI went from ~50 modules to ~20).

const USAGE: Record<string, string> = {
  main: `Usage: approute <command> [dir] [options]

Commands:
  dev [dir]     Serve the project from source, rebuilding on every change
  build [dir]   Compile the project into <dir>/.approute
  start [dir]   Serve the last build (compiles nothing)
  typegen [dir] Write RouteContext and next/* types (.approute/types, approute-env.d.ts)

Run "approute <command> --help" for the options of a command.`,
  build: `Usage: approute build [dir]

Compiles every app/**/route.ts (and proxy.ts, next.config.*) of the project in [dir] (default: .)
into [dir]/.approute/server, with a manifest and an entry module whose default export is { fetch }.

Options:
  --minify           Minify the output
  --target <target>  node (default), or worker: also bundle everything into one module,
                     .approute/worker/index.mjs, for Workers runtimes (workerd, Cloudflare)
  --turbopack, --webpack
                     Accepted so next build scripts run unchanged; ignored (esbuild compiles)
  -h, --help         Show this help`,
  start: `Usage: approute start [dir] [options]

Serves the build in [dir]/.approute (run "approute build" first). Compiles nothing.

Options:
  -p, --port <n>         Port to listen on (env PORT, default 3000; 0 = any free port)
  -H, --hostname <host>  Host to bind (env HOSTNAME, default all interfaces)
${SERVER_FLAGS_HELP}
${WORKERS_HELP}
  -h, --help             Show this help

On SIGTERM/SIGINT the server stops accepting, finishes in-flight requests within the grace period,
runs shutdown hooks (cache flushes) and exits 0. Uncaught errors are logged and never stop it.`,
  typegen: `Usage: approute typegen [dir]

Writes [dir]/.approute/types/routes.d.ts (the global RouteContext<"/route/[param]"> type, typed from
the app's route files), .approute/types/next.d.ts (next/* imports typed as approute's modules) and
[dir]/approute-env.d.ts, which references both. build and dev run this too.

Options:
  -h, --help    Show this help`,
  dev: `Usage: approute dev [dir] [options]

Serves the project in [dir] from source and rebuilds when files change. A route that fails to
compile answers 500 with the error; the other routes keep working.

Options:
  -p, --port <n>         Port to listen on (env PORT, default 3000; 0 = any free port)
  -H, --hostname <host>  Host to bind (env HOSTNAME, default 127.0.0.1)
${SERVER_FLAGS_HELP}
  --turbopack, --webpack Accepted so next dev scripts run unchanged; ignored (esbuild compiles)
  -h, --help             Show this help`,
};

function usageError(message: string, command = "main"): ApprouteError {
  return new ApprouteError(ErrorCode.USAGE, message, {
    hint: `Run "approute ${command === "main" ? "" : `${command} `}--help".`,
  });
}

function parsePort(value: string | undefined): number {
  const raw = value ?? process.env.PORT ?? "3000";
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError(`Invalid port "${raw}": expected a whole number from 0 to 65535.`);
  return port;
}

const STANDARD_NODE_ENVS = ["production", "development", "test"];

/**
 * NODE_ENV as a Next.js user expects from its CLI: unset (or empty), `dev` makes it "development"
 * and every other command "production", so route code guarded by `NODE_ENV !== "production"` does
 * not run in production. A value already set is kept, with a warning when it is not one of the
 * three standard values or contradicts the command. NEXT_RUNTIME is "nodejs", which code shared
 * with Edge runtimes checks.
 */
function applyNodeEnv(command: string): void {
  const current = process.env.NODE_ENV;
  const expected = command === "dev" ? "development" : "production";
  if (!current) process.env.NODE_ENV = expected;
  else if (!STANDARD_NODE_ENVS.includes(current))
    console.warn(
      `approute ${command}: NODE_ENV is "${current}", not one of ${STANDARD_NODE_ENVS.join(", ")}; libraries and checks in your code may then disagree about the mode. Keep NODE_ENV standard and name deployment stages with a variable of your own (e.g. APP_ENV).`,
    );
  else if (current !== "test" && current !== expected)
    console.warn(
      `approute ${command}: NODE_ENV is "${current}" but this command runs in ${expected} mode; code that checks NODE_ENV will take its ${current} branch. Unset NODE_ENV to let approute choose.`,
    );
  process.env.NEXT_RUNTIME = "nodejs";
}

/** Runs the CLI with `argv` (without node and script). Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "-h" || command === "--help" || command === "help") {
    console.log(USAGE.main);
    return command ? 0 : 2;
  }
  if (command === "-v" || command === "--version") {
    const { createRequire } = await import("node:module");
    console.log(createRequire(import.meta.url)("../../package.json").version);
    return 0;
  }
  if (!(command in USAGE) || command === "main") {
    console.error(`approute: unknown command "${command}". Run "approute --help".`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        port: { type: "string", short: "p" },
        hostname: { type: "string", short: "H" },
        minify: { type: "boolean" },
        target: { type: "string" },
        // next dev/build's bundler switches, in many migrated scripts: approute compiles with esbuild.
        turbo: { type: "boolean" },
        turbopack: { type: "boolean" },
        webpack: { type: "boolean" },
        ...SERVER_FLAGS,
      },
    });
  } catch (error) {
    console.error(`approute ${command}: ${(error as Error).message}. Run "approute ${command} --help".`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE[command]);
    return 0;
  }
  for (const flag of ["turbo", "turbopack", "webpack"] as const)
    if (values[flag])
      console.log(`approute ${command}: --${flag} is ignored (approute compiles with esbuild).`);
  if (positionals.length > 1) {
    console.error(`approute ${command}: expected at most one directory, got ${positionals.join(" ")}.`);
    return 2;
  }
  const root = resolve(positionals[0] ?? ".");
  applyNodeEnv(command);
  if (command !== "typegen") {
    // .env files, as next dev/build/start load them (cluster workers inherit what the primary loaded).
    const files = loadEnvFiles(root, command === "dev");
    if (files.length > 0 && process.env.NODE_UNIQUE_ID === undefined)
      console.log(`approute: environment from ${files.join(", ")}`);
  }
  // `start` and `build` switch source maps on once approute's own modules are in (below): Node reads
  // and indexes the map of every module loaded while they are on, and only user code needs them.
  if (command !== "start" && command !== "build") process.setSourceMapsEnabled(true);
  try {
    if (command === "typegen") {
      const { checkRoutes } = await import("../build/build.js");
      const { writeTypes } = await import("../typegen/index.js");
      const { readCacheLifeProfiles, scanWithConfig } = await import("../build/config-profiles.js");
      const scan = await scanWithConfig(root);
      checkRoutes(scan);
      const cacheLifeProfiles = await readCacheLifeProfiles(root, scan);
      const { routesFile } = writeTypes(root, scan.routes, { cacheLifeProfiles });
      console.log(
        `approute: wrote types for ${scan.routes.length} route${scan.routes.length === 1 ? "" : "s"} → ${routesFile}`,
      );
      return 0;
    }
    if (command === "build") {
      const target = (values.target as string | undefined) ?? "node";
      if (target !== "node" && target !== "worker")
        throw usageError(`Invalid --target "${target}": expected node or worker.`, "build");
      const [
        { buildProject },
        { colorEnabled, createProgress, formatBuildReport, formatBytes, readRevalidate },
        { writeTypes },
        { bundleWorker },
        { readCacheLifeProfiles },
      ] = await Promise.all([
        import("../build/build.js"),
        import("../build/report.js"),
        import("../typegen/index.js"),
        import("../build/worker.js"),
        import("../build/config-profiles.js"),
        // What the build's entry imports from approute (its prerender loads it once), as for start.
        import("../runtime/app.js"),
        import("../web/server.js"),
        import("../web/globals.js"),
      ]);
      // Source maps on only now: the compiled routes (user code) need them, approute's own modules
      // do not, and Node reads and indexes the map of every module loaded while they are on (#6).
      process.setSourceMapsEnabled(true);
      const progress = createProgress();
      let result: Awaited<ReturnType<typeof buildProject>>;
      let worker: WorkerBundle | undefined;
      try {
        result = await buildProject({
          root,
          minify: Boolean(values.minify),
          onProgress: (message) => progress.update(message),
        });
        writeTypes(root, result.scan.routes, {
          cacheLifeProfiles: await readCacheLifeProfiles(root, result.scan),
        });
        if (target === "worker") {
          progress.update("bundling the worker");
          worker = await bundleWorker(root, result.outDir);
        }
      } finally {
        progress.done();
      }
      console.log(
        formatBuildReport(result, {
          color: colorEnabled(),
          outDirLabel: displayPath(result.outDir),
          revalidate: await readRevalidate(result.outDir),
        }),
      );
      if (worker)
        console.log(
          `  worker bundle: ${displayPath(worker.file)} (${formatBytes(worker.bytes)}, one module)`,
        );
      return 0;
    }
    const port = parsePort(values.port as string | undefined);
    const { options, workers } = parseServerFlags(values, command);
    // node:cluster only when this process is, or starts, a cluster (NODE_UNIQUE_ID marks a worker).
    const clustered = workers > 1 || process.env.NODE_UNIQUE_ID !== undefined;
    const [cluster, start] = await Promise.all([
      clustered ? import("node:cluster").then((m) => m.default) : undefined,
      import("./start.js"),
    ]);
    const { SERVER_DEFAULTS, serve, loadBuild, consoleLogger, onShutdown } = start;
    const { installCrashGuards, installShutdown, runPrimary, stackRouteLocator } = start;
    process.setSourceMapsEnabled(true);
    const shutdownTimeout = options.shutdownTimeout ?? SERVER_DEFAULTS.shutdownTimeout;
    if (command === "start") {
      const hostname = (values.hostname as string | undefined) ?? process.env.HOSTNAME;
      if (workers > 1 && cluster?.isPrimary) {
        // Fail here, once, when there is no build; instrumentation.ts registers in the workers only.
        (globalThis as Record<symbol, unknown>)[Symbol.for("approute.cluster-primary")] = true;
        await loadBuild(root);
        installCrashGuards(consoleLogger);
        runPrimary({ cluster, workers, hostname, logger: consoleLogger, shutdownTimeout });
        return -1;
      }
      const { app } = await loadBuild(root);
      installCrashGuards(
        consoleLogger,
        stackRouteLocator(root, () => app.router.routes),
      );
      const server = await serve(() => app, { ...options, port, hostname });
      if (!cluster?.isWorker) console.log(`approute ready on ${server.url}`);
      // After the drain: let the cache handlers flush and release their connections.
      onShutdown(() => app.close());
      installShutdown({
        logger: consoleLogger,
        close: () => server.close(),
        hooksTimeout: shutdownTimeout,
        worker: cluster?.isWorker ?? false,
      });
      return -1;
    }
    if (workers > 1) throw usageError("--workers is only available for approute start.", "dev");
    // Dev-only output (request lines, code frames) is loaded here, never by start.
    const { createDevLogger, withRequestLog } = await import("../build/dev-log.js");
    const { colorEnabled } = await import("../build/report.js");
    const { startDev } = await import("../build/dev.js");
    const color = colorEnabled();
    const logger = createDevLogger(root, color);
    const session = await startDev({ root, logger });
    installCrashGuards(
      logger,
      stackRouteLocator(root, () => session.app().router.routes),
    );
    const server = await serve(
      withRequestLog(
        () => session.app(),
        (line) => console.log(line),
        color,
      ),
      {
        ...options,
        port,
        hostname: (values.hostname as string | undefined) ?? process.env.HOSTNAME ?? "127.0.0.1",
        logger,
      },
    );
    console.log(`approute dev ready on ${server.url}`);
    installShutdown({
      logger,
      close: () => {
        session.close();
        return server.close();
      },
      hooksTimeout: shutdownTimeout,
    });
    return -1;
  } catch (error) {
    if (isApprouteError(error)) {
      const { colorEnabled, formatFailure } = await import("../build/report.js");
      console.error(
        `approute ${command} failed:\n${formatFailure(error, root, colorEnabled(process.stderr))}`,
      );
      // The user's own error behind ours (a prerender, a config function, register()): where it was thrown.
      const cause = error.cause;
      if (cause instanceof Error && cause.stack) console.error(`\ncaused by: ${cause.stack}`);
    } else console.error(`approute ${command} failed:`, error);
    return 1;
  }
}

/** A path relative to the working directory when it is below it, else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}
