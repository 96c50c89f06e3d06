/**
 * Loading custom cache handlers from `next.config` `cacheHandlers` (R119, R123): kind → module path
 * (absolute, or relative to the project root). Each module's default export is the handler object.
 * Done once at start-up by the generated entry, so a broken handler fails the start, not a request.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { cacheHandlerPaths } from "../cache/runtime.js";
import type { CacheHandler } from "../cache/types.js";
import { ApprouteError, ErrorCode } from "../core/errors.js";

const METHODS = ["get", "set", "refreshTags", "getExpiration", "updateTags"] as const;

/** Imports every configured handler module; throws `APR_INVALID_CONFIG` naming the kind and path. */
export async function loadCacheHandlers(
  config: { cacheHandlers?: unknown },
  root: string,
): Promise<Record<string, CacheHandler>> {
  const paths = cacheHandlerPaths(config.cacheHandlers);
  const handlers: Record<string, CacheHandler> = {};
  for (const [kind, path] of Object.entries(paths)) {
    const file = path.startsWith("file:")
      ? new URL(path)
      : pathToFileURL(isAbsolute(path) ? path : resolve(root, path));
    let module: Record<string, unknown>;
    try {
      module = (await import(file.href)) as Record<string, unknown>;
    } catch (error) {
      throw new ApprouteError(
        ErrorCode.INVALID_CONFIG,
        `cacheHandlers.${kind}: cannot load "${path}": ${(error as Error).message}`,
        {
          hint: "Point it at a JavaScript module (.js or .mjs), absolute or relative to the project root.",
          cause: error,
        },
      );
    }
    const handler = (module.default ?? module) as Partial<CacheHandler>;
    const missing = METHODS.filter((m) => typeof handler?.[m] !== "function");
    if (missing.length > 0)
      throw new ApprouteError(
        ErrorCode.INVALID_CONFIG,
        `cacheHandlers.${kind} ("${path}"): the default export does not implement ${missing.join(", ")}.`,
        {
          hint: "Export default an object with get, set, refreshTags, getExpiration and updateTags (see the README's cache handler section).",
        },
      );
    handlers[kind] = handler as CacheHandler;
  }
  return handlers;
}
