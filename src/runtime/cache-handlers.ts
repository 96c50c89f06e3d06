/**
 * Loading custom cache handlers from `next.config` `cacheHandlers` (R119, R123): kind → module path
 * (absolute, or relative to the project root). Each module's default export is the handler object.
 * Done once at start-up by the generated entry, so a broken handler fails the start, not a request.
 * The singular `cacheHandler` class (R121) is loaded here too.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { cacheHandlerPaths } from "../cache/runtime.js";
import type { CacheHandler } from "../cache/types.js";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import type { NextCacheHandlerContext, NextIncrementalCacheHandler } from "./incremental-handler.js";

const METHODS = ["get", "set", "refreshTags", "getExpiration", "updateTags"] as const;

/**
 * Imports the module a next.config option names (a `file:` URL, or a path absolute or relative to
 * the project root); throws `APR_INVALID_CONFIG` naming the option and the path when it cannot.
 */
async function importConfigured(
  path: string,
  root: string,
  option: string,
): Promise<Record<string, unknown>> {
  const file = path.startsWith("file:")
    ? new URL(path)
    : pathToFileURL(isAbsolute(path) ? path : resolve(root, path));
  try {
    return (await import(file.href)) as Record<string, unknown>;
  } catch (error) {
    throw new ApprouteError(
      ErrorCode.INVALID_CONFIG,
      `${option}: cannot load "${path}": ${(error as Error).message}`,
      {
        hint: "Point it at a JavaScript module (.js or .mjs), absolute or relative to the project root.",
        cause: error,
      },
    );
  }
}

/** Imports every configured handler module; throws `APR_INVALID_CONFIG` naming the kind and path. */
export async function loadCacheHandlers(
  config: { cacheHandlers?: unknown },
  root: string,
): Promise<Record<string, CacheHandler>> {
  const paths = cacheHandlerPaths(config.cacheHandlers);
  const handlers: Record<string, CacheHandler> = {};
  for (const [kind, path] of Object.entries(paths)) {
    const module = await importConfigured(path, root, `cacheHandlers.${kind}`);
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

const INCREMENTAL_METHODS = ["get", "set", "revalidateTag"] as const;

/**
 * Loads next.config `cacheHandler` (singular, R121): a module whose default export is a class.
 * It is constructed once with the context Next passes, and stores ISR responses and fetch entries.
 * Throws `APR_INVALID_CONFIG` naming the path when it cannot be loaded or lacks a method.
 */
export async function loadIncrementalCacheHandler(
  config: { cacheHandler?: unknown; cacheMaxMemorySize?: unknown },
  root: string,
  serverDistDir?: string,
): Promise<NextIncrementalCacheHandler | undefined> {
  const path = config.cacheHandler;
  if (path === undefined || path === null) return undefined;
  if (typeof path !== "string" || path === "")
    throw new ApprouteError(
      ErrorCode.INVALID_CONFIG,
      `Invalid next.config option "cacheHandler": expected a module path string, received ${JSON.stringify(path)}.`,
      { hint: "Write cacheHandler: require.resolve('./cache-handler.mjs') (a module exporting a class)." },
    );
  const module = await importConfigured(path, root, "cacheHandler");
  let Handler: unknown = module.default ?? module;
  // CommonJS modules compiled from TypeScript put the class on `.default` of the namespace default.
  if (typeof Handler !== "function" && typeof (Handler as { default?: unknown })?.default === "function")
    Handler = (Handler as { default: unknown }).default;
  if (typeof Handler !== "function")
    throw new ApprouteError(
      ErrorCode.INVALID_CONFIG,
      `cacheHandler ("${path}"): the default export is not a class.`,
      { hint: "Export default a class with get, set, revalidateTag and resetRequestCache methods." },
    );
  const maxMemoryCacheSize =
    typeof config.cacheMaxMemorySize === "number" ? config.cacheMaxMemorySize : 50 * 1024 * 1024;
  const context: NextCacheHandlerContext = {
    dev: false,
    flushToDisk: false,
    serverDistDir,
    revalidatedTags: [],
    maxMemoryCacheSize,
    fetchCacheKeyPrefix: "",
    _requestHeaders: {},
  };
  const instance = new (Handler as new (ctx: NextCacheHandlerContext) => NextIncrementalCacheHandler)(
    context,
  );
  const missing = INCREMENTAL_METHODS.filter(
    (m) => typeof (instance as unknown as Record<string, unknown>)[m] !== "function",
  );
  if (missing.length > 0)
    throw new ApprouteError(
      ErrorCode.INVALID_CONFIG,
      `cacheHandler ("${path}"): instances do not implement ${missing.join(", ")}.`,
      { hint: "The class needs get(key, ctx), set(key, data, ctx) and revalidateTag(tags, durations)." },
    );
  return instance;
}
