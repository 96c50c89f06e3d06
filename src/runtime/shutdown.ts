/**
 * Process shutdown hooks: work that must finish before the process exits (flush a cache handler's
 * pending writes, close a Redis client). `approute start` runs them after the server has drained.
 * The list lives on `globalThis` under a registered symbol so that duplicated copies of this module
 * (a bundled route and the CLI) share it.
 * @module
 */
import type { Logger } from "./logger.js";

/** A hook; may return a promise, which shutdown awaits (bounded by the grace period). */
export type ShutdownHook = () => unknown;

const kHooks = Symbol.for("approute.shutdownHooks");

function hooks(): Set<ShutdownHook> {
  const holder = globalThis as { [kHooks]?: Set<ShutdownHook> };
  holder[kHooks] ??= new Set();
  return holder[kHooks];
}

/**
 * Registers `hook` to run once when the server shuts down gracefully (SIGTERM/SIGINT, or
 * {@link runShutdownHooks}). Returns a function that unregisters it.
 * @example
 * onShutdown(() => redis.quit());
 */
export function onShutdown(hook: ShutdownHook): () => void {
  const set = hooks();
  set.add(hook);
  return () => set.delete(hook);
}

/**
 * Runs every registered hook once, concurrently, and resolves when all have settled or after
 * `timeoutMs`, whichever is first. A hook that throws or rejects is logged; it never stops the others.
 */
export async function runShutdownHooks(logger: Logger, timeoutMs = 10_000): Promise<void> {
  const set = hooks();
  if (set.size === 0) return;
  const list = [...set];
  set.clear();
  const settled = Promise.allSettled(
    list.map(async (hook) => {
      try {
        await hook();
      } catch (error) {
        logger.error("A shutdown hook failed:", error);
      }
    }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger.warn(`Shutdown hooks did not finish within ${timeoutMs} ms; exiting anyway.`);
      resolve();
    }, timeoutMs);
  });
  await Promise.race([settled, timeout]);
  clearTimeout(timer);
}
