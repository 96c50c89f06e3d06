/**
 * The cache runtime of one app: its handlers by kind (`default`, `remote`, custom), its `cacheLife`
 * profiles, build id and clock, the calls in flight, and tag invalidation across all handlers.
 * `createApp` makes one per app and puts it on each request store; ISR storage uses the same
 * handlers, so `revalidateTag`/`revalidatePath` reach both.
 * @module
 */
import type { CacheLife } from "../context/cache-scope.js";
import { currentRequestStore, type RequestStore } from "../context/request-store.js";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import { preciseNow } from "./entry.js";
import { type FetchRoutePolicy, type FetchStore, fetchStoreOver } from "./fetch-cache.js";
import { createMemoryHandler, DEFAULT_MAX_MEMORY } from "./memory-handler.js";
import { type CacheLifeProfiles, resolveProfiles } from "./profiles.js";
import { createRedisHandler } from "./redis-handler.js";
import { implicitTags } from "./tags.js";
import type { CacheHandler } from "./types.js";

/** The logger the cache reports to (the app's logger). */
export interface CacheLogger {
  error(message: string, error?: unknown): void;
  warn(message: string): void;
  info?(message: string): void;
}

/** Cache-related `next.config` keys (R103, R119, R122). */
export interface CacheConfig {
  basePath?: unknown;
  cacheComponents?: unknown;
  cacheLife?: unknown;
  cacheMaxMemorySize?: unknown;
  expireTime?: unknown;
  cacheHandlers?: unknown;
  experimental?: { staleTimes?: { static?: unknown }; [key: string]: unknown };
  approute?: { redis?: { url?: string; keyPrefix?: string } | string; [key: string]: unknown };
}

export interface CacheRuntimeOptions {
  config?: CacheConfig;
  /** Handler instances by kind, loaded from `cacheHandlers` module paths (see `loadCacheHandlers`). */
  handlers?: Record<string, CacheHandler>;
  buildId?: string;
  logger?: CacheLogger;
  /** Clock in ms; tests inject one. */
  now?: () => number;
  /** `redis://host:port`; default from `APPROUTE_REDIS_URL` or `approute.redis` in config. */
  redisUrl?: string;
  /**
   * Storage for ISR responses and fetch entries instead of the `default` handler: a Next-style
   * singular `cacheHandler` (R121), adapted by src/runtime/incremental-handler.ts.
   */
  incremental?: { handler: CacheHandler; fetchStore: FetchStore };
}

/** One computation result as callers of a cached function see it (before being copied). */
export interface CachedResult {
  text: string;
  life: CacheLife;
  tags: string[];
}

export interface CacheRuntime {
  readonly buildId: string;
  /** next.config `cacheComponents` (R153): `navigation()`/`prefetch()` need it. */
  readonly cacheComponents: boolean;
  /** next.config `basePath` ("" when none): path tags leave it out, as Next's pathname does (R94). */
  readonly basePath: string;
  readonly profiles: CacheLifeProfiles;
  readonly now: () => number;
  readonly logger: CacheLogger;
  /** Calls in progress by cache key: concurrent callers share one computation. */
  readonly inflight: Map<string, Promise<CachedResult>>;
  /** Keys being regenerated in the background (one per key). */
  readonly revalidating: Set<string>;
  /** Where ISR route responses live: the `default` handler, or the singular `cacheHandler` (R121). */
  readonly routeHandler: CacheHandler;
  /** Where `fetch` data-cache entries live (same choice as `routeHandler`). */
  readonly fetchStore: FetchStore;
  /** Fetch policies of routes whose segment config affects fetch caching, by route key (R78, R85). */
  readonly fetchPolicies: Map<string, FetchRoutePolicy>;
  /** The segment `revalidate` of cached routes by route key (bounds default fetches in fills). */
  readonly routeRevalidate: Map<string, number | false>;
  /** Upstream fetches in progress by key: concurrent misses share one. */
  readonly fetchInflight: Map<string, Promise<unknown>>;
  /** The handler for a kind (`default`, `remote`, custom), or undefined. */
  handler(kind: string): CacheHandler | undefined;
  /** Every distinct handler (for tag invalidation). */
  allHandlers(): CacheHandler[];
  /** Invalidates `tags` in every handler (revalidateTag/revalidatePath, R107, R110). */
  revalidateTags(tags: string[], durations?: { expire?: number }): Promise<void>;
  /** Reports a storage failure; logs one warning until the handler works again. */
  storageFailed(kind: string, error: unknown): void;
  /** Reports that a handler call for `kind` succeeded (ends a failure streak). */
  storageOk(kind: string): void;
  /** Logs a message once per runtime. */
  warnOnce(message: string): void;
  /** True when a handler holds a connection that `close()` releases (Redis). */
  readonly holdsConnections: boolean;
  /** Closes connections (Redis). */
  close(): Promise<void>;
}

/** Valid `cacheHandlers` kind names (R119). */
const KIND_NAME = /^[a-z-]+$/;

function configError(message: string, hint: string): ApprouteError {
  return new ApprouteError(ErrorCode.INVALID_CONFIG, message, { hint });
}

/** Validates `cacheHandlers` (R119, R123) and returns kind → module path. */
export function cacheHandlerPaths(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value))
    throw configError(
      `Invalid next.config option "cacheHandlers": expected an object of kind → module path, received ${JSON.stringify(value)}.`,
      "Write cacheHandlers: { default: require.resolve('./cache-handler.mjs') }.",
    );
  const paths: Record<string, string> = {};
  for (const [kind, path] of Object.entries(value as Record<string, unknown>)) {
    if (kind === "private")
      throw configError(
        'The cache handler for "use cache: private" cannot be customized. Remove cacheHandlers.private from next.config.',
        "Private entries live only in the request; remove the key.",
      );
    if (!KIND_NAME.test(kind))
      throw configError(
        `Invalid cacheHandlers kind "${kind}": names may only contain lowercase letters and "-".`,
        `Rename "${kind}" (for example to "${kind.toLowerCase().replace(/[^a-z-]/g, "-")}").`,
      );
    if (path === undefined) continue;
    if (typeof path !== "string" || path === "")
      throw configError(
        `Invalid cacheHandlers.${kind}: expected a module path string, received ${JSON.stringify(path)}.`,
        "Point it at a module whose default export implements get/set/refreshTags/getExpiration/updateTags.",
      );
    paths[kind] = path;
  }
  return paths;
}

function redisSettings(options: CacheRuntimeOptions): { url: string; keyPrefix?: string } | undefined {
  if (options.redisUrl) return { url: options.redisUrl };
  const fromConfig = options.config?.approute?.redis;
  if (typeof fromConfig === "string" && fromConfig !== "") return { url: fromConfig };
  if (fromConfig && typeof fromConfig === "object" && typeof fromConfig.url === "string")
    return { url: fromConfig.url, keyPrefix: fromConfig.keyPrefix };
  const env = process.env.APPROUTE_REDIS_URL;
  if (env) return { url: env };
  return undefined;
}

/** Builds the cache runtime of an app. Config errors throw `APR_INVALID_CONFIG`. */
export function createCacheRuntime(options: CacheRuntimeOptions = {}): CacheRuntime {
  const config = options.config ?? {};
  const logger: CacheLogger = options.logger ?? console;
  const now = options.now ?? preciseNow;
  const profiles = resolveProfiles(
    config.cacheLife,
    config.expireTime,
    config.experimental?.staleTimes?.static,
  );
  cacheHandlerPaths(config.cacheHandlers);
  const maxBytes = config.cacheMaxMemorySize ?? DEFAULT_MAX_MEMORY;
  if (typeof maxBytes !== "number" || !Number.isFinite(maxBytes) || maxBytes < 0)
    throw configError(
      `Invalid next.config option "cacheMaxMemorySize": expected a number of bytes (0 disables the memory cache), received ${JSON.stringify(maxBytes)}.`,
      "Set cacheMaxMemorySize to a number of bytes.",
    );

  const warned = new Set<string>();
  const failing = new Set<string>();
  function warnOnce(message: string): void {
    if (warned.has(message)) return;
    warned.add(message);
    logger.warn(message);
  }

  const kinds = new Map<string, CacheHandler>();
  const closers: Array<() => Promise<void>> = [];
  const redis = redisSettings(options);
  let shared: CacheHandler;
  if (redis !== undefined) {
    const handler = createRedisHandler({ url: redis.url, keyPrefix: redis.keyPrefix, logger, now });
    closers.push(() => handler.close());
    shared = handler;
  } else {
    shared = createMemoryHandler({ maxBytes, now });
  }
  kinds.set("default", shared);
  kinds.set("remote", shared);
  for (const [kind, handler] of Object.entries(options.handlers ?? {})) kinds.set(kind, handler);
  const routeHandler = options.incremental?.handler ?? shared;
  const fetchStore = options.incremental?.fetchStore ?? fetchStoreOver(shared);
  const everyHandler = () => [...new Set([...kinds.values(), routeHandler])];

  return {
    buildId: options.buildId ?? "development",
    cacheComponents: config.cacheComponents === true,
    basePath: typeof config.basePath === "string" && config.basePath !== "/" ? config.basePath : "",
    profiles,
    now,
    logger,
    inflight: new Map(),
    revalidating: new Set(),
    routeHandler,
    fetchStore,
    fetchPolicies: new Map(),
    routeRevalidate: new Map(),
    fetchInflight: new Map(),
    handler: (kind) => kinds.get(kind),
    allHandlers: everyHandler,
    async revalidateTags(tags, durations) {
      await Promise.all(
        everyHandler().map((handler) =>
          handler.updateTags(tags, durations).catch((error) => {
            logger.error(`Failed to revalidate tags ${tags.map((t) => `"${t}"`).join(", ")}:`, error);
          }),
        ),
      );
    },
    storageFailed(kind, error) {
      if (failing.has(kind)) return;
      failing.add(kind);
      logger.warn(
        `cache handler "${kind}" failed (${(error as Error)?.message ?? error}); serving uncached until it recovers.`,
      );
    },
    storageOk(kind) {
      if (failing.size > 0 && failing.delete(kind)) logger.info?.(`cache handler "${kind}" works again.`);
    },
    warnOnce,
    holdsConnections: closers.length > 0,
    async close() {
      await Promise.all(closers.map((close) => close()));
    },
  };
}

let fallback: CacheRuntime | undefined;

/** The runtime outside any app request (scripts, module top level): memory only. */
export function fallbackRuntime(): CacheRuntime {
  fallback ??= createCacheRuntime({ redisUrl: undefined, config: {} });
  return fallback;
}

/** Where the request store keeps the request's implicit tags (a route-cache fill presets them). */
export const IMPLICIT_TAGS_KEY = Symbol.for("approute.cache.implicitTags");
const kImplicitTags = IMPLICIT_TAGS_KEY;

/** The implicit tags of the current request, computed once per request (R94). */
export function requestImplicitTags(store: RequestStore | undefined): string[] {
  if (store === undefined) return [];
  let tags = store[kImplicitTags] as string[] | undefined;
  if (tags === undefined) {
    const url = store.request.url;
    const start = url.indexOf("/", url.indexOf("//") + 2);
    let end = url.indexOf("?", start);
    if (end === -1) end = url.length;
    const hash = url.indexOf("#", start);
    if (hash !== -1 && hash < end) end = hash;
    let pathname = start === -1 ? "/" : url.slice(start, end);
    // Without the basePath, as a route-cache fill computes them (and Next's nextUrl.pathname).
    const basePath = (store.cacheRuntime as CacheRuntime | undefined)?.basePath;
    if (basePath && pathname.toLowerCase().startsWith(basePath.toLowerCase())) {
      const rest = pathname.slice(basePath.length);
      if (rest === "" || rest.startsWith("/")) pathname = rest === "" ? "/" : rest;
    }
    tags = implicitTags(store.route, pathname);
    store[kImplicitTags] = tags;
  }
  return tags;
}

/** The runtime serving the current call: the enclosing cache scope's, the request's, or the fallback. */
export function activeRuntime(scopeRuntime: unknown): CacheRuntime {
  if (scopeRuntime !== undefined) return scopeRuntime as CacheRuntime;
  const store = currentRequestStore();
  return (store?.cacheRuntime as CacheRuntime | undefined) ?? fallbackRuntime();
}
