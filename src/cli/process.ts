/**
 * Process lifecycle for a running server: crash guards that log and keep serving, graceful shutdown
 * on SIGTERM/SIGINT, and the `--workers` primary that runs N processes on one port with node:cluster.
 * @module
 */
import type { Cluster, Worker } from "node:cluster";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { originFor } from "../adapters/node/server.js";
import { requestStorage } from "../context/request-store.js";
import type { Logger } from "../runtime/logger.js";
import { runShutdownHooks } from "../runtime/shutdown.js";

/** Finds the route an unhandled error came from when no request context carries it. */
export type RouteLocator = (reason: unknown) => string | undefined;

/**
 * A locator that reads the error's stack: the first frame in a route file (source maps are on, so
 * frames name the original `app/…/route.ts`) gives the route. Routes the build proved never use the
 * request store run without it (#6), so their crashes are attributed this way.
 */
export function stackRouteLocator(
  root: string,
  routes: () => ReadonlyArray<{ file: string; key: string }>,
): RouteLocator {
  return (reason) => {
    const stack = reason instanceof Error ? reason.stack : undefined;
    if (typeof stack !== "string") return undefined;
    const byFile = new Map<string, string>();
    for (const route of routes())
      byFile.set(isAbsolute(route.file) ? route.file : join(root, route.file), route.key);
    for (const match of stack.matchAll(/(?:\(|at )((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/gm)) {
      let file = match[1]!;
      if (file.startsWith("file://")) file = fileURLToPath(file);
      const key = byFile.get(file);
      if (key !== undefined) return key;
    }
    return undefined;
  };
}

function where(reason: unknown, locate: RouteLocator | undefined): string {
  const route = requestStorage.getStore()?.route ?? locate?.(reason);
  return route === undefined ? "" : ` in route ${route}`;
}

/**
 * A thrown error or rejected promise that nothing handled — in a handler's timer, in `after()` work,
 * in background work — is logged with its route (from the request context, or else from the error's
 * stack) and the process keeps serving. Node's default would exit and drop every in-flight request.
 */
export function installCrashGuards(logger: Logger, locate?: RouteLocator): void {
  process.on("uncaughtException", (error) => {
    logger.error(`Uncaught exception${where(error, locate)}; the server keeps running:`, error);
  });
  process.on("unhandledRejection", (reason) => {
    logger.error(`Unhandled promise rejection${where(reason, locate)}; the server keeps running:`, reason);
  });
}

export interface ShutdownOptions {
  logger: Logger;
  /** Drains the server; resolves once every connection is closed. */
  close(): Promise<{ forced: boolean } | undefined>;
  /** Bound for the shutdown hooks (cache flushes) after the drain. */
  hooksTimeout: number;
  /** A worker leaves the second signal to its primary instead of exiting at once. */
  worker?: boolean;
}

/**
 * SIGTERM/SIGINT: drain (stop accepting, finish in-flight requests within the grace period, close
 * keep-alive connections), run the shutdown hooks, exit 0. A second signal exits 1 at once.
 */
export function installShutdown(options: ShutdownOptions): void {
  const { logger } = options;
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      if (!options.worker) process.exit(1);
      return;
    }
    closing = true;
    // Tell a cluster primary this exit is planned, so it does not start a replacement.
    if (options.worker && process.send) process.send({ approute: "draining" });
    logger.info(`approute: ${signal} received, finishing in-flight requests`);
    Promise.resolve(options.close())
      .then((result) => {
        if (result?.forced) logger.warn("Grace period over: closed connections with requests still running.");
        return runShutdownHooks(logger, options.hooksTimeout);
      })
      .then(
        () => process.exit(0),
        (error) => {
          logger.error("Shutdown failed:", error);
          process.exit(1);
        },
      );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

export interface PrimaryOptions {
  /** node:cluster, passed in so a single-process server never loads it. */
  cluster: Cluster;
  workers: number;
  hostname: string | undefined;
  logger: Logger;
  /** How long to wait for workers to drain before killing them. */
  shutdownTimeout: number;
}

/**
 * Runs in the primary of `--workers N`: forks N copies of this command (each serves the port through
 * node:cluster), prints "ready" once all listen, restarts a worker that dies, and on SIGTERM/SIGINT
 * forwards SIGTERM to every worker, waits for them to drain and exits 0.
 */
export function runPrimary(options: PrimaryOptions): void {
  const { cluster, logger, workers } = options;
  let shuttingDown = false;
  let ready = false;
  let listening = 0;
  const recentDeaths: number[] = [];

  const draining = new Set<Worker>();
  const fork = () => {
    const worker = cluster.fork();
    worker.on("message", (message: unknown) => {
      if ((message as { approute?: string } | null)?.approute === "draining") draining.add(worker);
    });
  };

  cluster.on("listening", (_worker: Worker, address) => {
    listening++;
    if (!ready && listening >= workers) {
      ready = true;
      logger.info(`approute ready on ${originFor(options.hostname, address.port)} (${workers} workers)`);
    }
  });
  cluster.on("exit", (worker: Worker, code, signal) => {
    if (shuttingDown || draining.delete(worker)) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error(`Worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting a new one.`);
    // A worker that dies on start-up would otherwise be restarted in a tight loop.
    const now = Date.now();
    recentDeaths.push(now);
    while (recentDeaths.length > 0 && recentDeaths[0]! < now - 10_000) recentDeaths.shift();
    if (recentDeaths.length > workers * 5) setTimeout(fork, 1000).unref();
    else fork();
  });

  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      process.exit(1);
    }
    shuttingDown = true;
    logger.info(`approute: ${signal} received, stopping ${workers} workers`);
    const alive = Object.values(cluster.workers ?? {});
    if (alive.length === 0) process.exit(0);
    for (const worker of alive) worker?.process.kill("SIGTERM");
    // Workers drain within their own grace period; this is the backstop.
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      process.exit(1);
    }, options.shutdownTimeout + 5_000).unref();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  for (let i = 0; i < workers; i++) fork();
}
