/**
 * The route cache: serves cached GETs (static, prerendered, ISR) and fills them (R74–R84, R92–R95,
 * R141). Entries live in a per-instance map of prepared responses (memory speed: pre-encoded body,
 * pre-built headers) in front of the shared cache handler (kind "default", so Redis shares them
 * across instances). Staleness is served while exactly one regeneration per key runs; concurrent
 * first requests share one fill keyed on the full key; fills never see the caller's headers or
 * cookies, and responses that set cookies or have an uncacheable status are never stored (#7).
 * @module
 */
import { type CacheRuntime, IMPLICIT_TAGS_KEY } from "../cache/runtime.js";
import { implicitTags } from "../cache/tags.js";
import type { CacheHandler } from "../cache/types.js";
import type { RequestStore } from "../context/request-store.js";
import type { RouteHandler } from "../core/dispatch.js";
import { isApprouteError } from "../core/errors.js";
import type { Segment } from "../core/route-id.js";
import type { RoutePolicy } from "../core/segment-config.js";
import { FastResponse } from "../web/fast-response.js";
import type { IncomingSource, NextRequest } from "../web/next-request.js";
import {
  type CachedResponse,
  type CacheState,
  fromCacheEntry,
  PRIVATE_NO_STORE,
  prepareEntry,
  readResponse,
  respondFrom,
  type ServedEntry,
  toCacheEntry,
} from "./cached-response.js";
import type { RequestErrorReporter } from "./instrumentation.js";
import { invokeHandler } from "./invoke.js";
import type { Logger } from "./logger.js";
import { emptyResponse } from "./responses.js";
import {
  DynamicUsageSignal,
  dynamicUsageError,
  maskRequest,
  staticRequest,
  staticSource,
  trackRequest,
} from "./static-request.js";

/** Key prefix of route entries in the shared cache handler. */
export const ROUTE_KEY_PREFIX = "approute:route:";

/** A route whose GET goes through the cache, as decided at load. */
export interface CachedRoute {
  key: string;
  file: string;
  segments: readonly Segment[];
  policy: RoutePolicy;
  get: RouteHandler;
  /** Canonical pathnames rendered at build (for `dynamicParams = false`, R83). */
  known: Set<string>;
  /** Set when a fill read request data under `dynamic = "auto"` (R80): served dynamically from now on. */
  dynamic: boolean;
  /** The pathname and store key of a route without params (it has one of each), made on first use. */
  fixed?: { pathname: string; key: string };
}

export interface RouteCacheOptions {
  handler: CacheHandler;
  buildId: string;
  /** Default expire (seconds) for entries with a numeric revalidate (R154). */
  expireTime: number;
  logger: Logger;
  authInterrupts: boolean;
  basePath: string;
  /** The clock for entry ages (ms). Tests inject one. */
  now: () => number;
  /** Most prepared entries kept in this instance (oldest dropped first). */
  maxEntries: number;
  /** Draft-mode cookie value that bypasses the cache (R69); without one nothing bypasses it. */
  previewId: string | undefined;
  /** The app's cache runtime: "use cache" inside fills, storage failure reporting. */
  cacheRuntime: CacheRuntime;
  /** `onRequestError` of instrumentation.ts: told of fills that fail, also in the background. */
  reportError?: RequestErrorReporter;
}

/** The outcome of running a route's GET for the cache. */
export type FillResult =
  | { kind: "entry"; served: ServedEntry }
  | { kind: "dynamic"; expression: string; reason?: string }
  | { kind: "uncacheable"; response: CachedResponse; reason: string }
  | { kind: "error"; error: unknown };

/** The canonical pathname of a match: params re-encoded, so `/a/%62` and `/a/b` share one entry. */
export function canonicalPath(
  segments: readonly Segment[],
  params: Record<string, string | string[]>,
): string {
  let path = "";
  for (const s of segments) {
    if (s.kind === "static") path += `/${s.value}`;
    else {
      const value = params[s.name];
      if (value === undefined) continue;
      if (typeof value === "string") path += `/${encodeURIComponent(value)}`;
      else for (const part of value) path += `/${encodeURIComponent(part)}`;
    }
  }
  return path === "" ? "/" : path;
}

function hasParams(segments: readonly Segment[]): boolean {
  for (const s of segments) if (s.kind !== "static") return true;
  return false;
}

const PRERENDER_BYPASS = "__prerender_bypass=";

/** The route cache of one app instance. */
export class RouteCache {
  readonly #options: RouteCacheOptions;
  readonly #entries = new Map<string, ServedEntry>();
  readonly #fills = new Map<string, Promise<FillResult>>();
  readonly #regenerating = new Set<string>();
  readonly #warned = new Set<string>();
  /** Keys whose entry this instance has written to (or found in) the shared handler. */
  readonly #published = new Set<string>();

  constructor(options: RouteCacheOptions) {
    this.#options = options;
  }

  /** Entries held by this instance (for tests and stats). */
  get size(): number {
    return this.#entries.size;
  }

  #keyOf(pathname: string): string {
    return `${ROUTE_KEY_PREFIX}${this.#options.buildId}:${pathname}`;
  }

  #remember(key: string, served: ServedEntry): void {
    const entries = this.#entries;
    entries.delete(key);
    entries.set(key, served);
    if (entries.size > this.#options.maxEntries) entries.delete(entries.keys().next().value as string);
  }

  /** Seeds an entry rendered at build (served from memory, no handler call). */
  seed(route: CachedRoute, pathname: string, entry: CachedResponse): void {
    route.known.add(pathname);
    this.#remember(this.#keyOf(pathname), prepareEntry(entry));
  }

  /** True when a request carries the draft-mode cookie of this build (R69). */
  isDraft(cookieHeader: string | null | undefined): boolean {
    if (!cookieHeader || this.#options.previewId === undefined) return false;
    const at = cookieHeader.indexOf(PRERENDER_BYPASS);
    if (at === -1) return false;
    const start = at + PRERENDER_BYPASS.length;
    const end = cookieHeader.indexOf(";", start);
    return cookieHeader.slice(start, end === -1 ? undefined : end).trim() === this.#options.previewId;
  }

  /**
   * The fresh entry of a route without params when the embedded store can confirm it synchronously,
   * else undefined (the caller then takes the full path: a miss, a stale entry, a shared store).
   * What `serve` answers in that case, minus everything a hit does not need.
   */
  hit(route: CachedRoute): Response | undefined {
    const fixed = route.fixed;
    const peek = this.#options.handler.peek;
    if (fixed === undefined || peek === undefined) return undefined;
    if (!route.policy.dynamicParams && !route.known.has(fixed.pathname)) return undefined;
    const local = this.#entries.get(fixed.key);
    if (local === undefined) return undefined;
    // One clock reading for the store's expiry and tag checks and for the entry's age.
    const at = this.#options.now();
    let stored: ReturnType<typeof peek>;
    try {
      stored = peek.call(this.#options.handler, fixed.key, local.entry.tags, at);
    } catch {
      return undefined;
    }
    if (stored === undefined || stored.timestamp !== local.entry.timestamp || stored.revalidate < 0)
      return undefined;
    return this.#timeState(local.entry, at) === "HIT" ? respondFrom(local, "HIT") : undefined;
  }

  /**
   * Serves a GET/HEAD of a cached route. `runDynamic` serves the request live (draft mode, or a route
   * that turned out dynamic). `source` is the request, for `onRequestError` when a fill fails.
   */
  serve(
    route: CachedRoute,
    params: Record<string, string | string[]>,
    runDynamic: () => Response | Promise<Response>,
    source: IncomingSource,
  ): Response | Promise<Response> {
    // hot path: a route without params has one pathname and key, built once, so a hit joins and
    // hashes no new string.
    let fixed = route.fixed;
    if (fixed === undefined) {
      const pathname = canonicalPath(route.segments, params);
      fixed = { pathname, key: this.#keyOf(pathname) };
      if (!hasParams(route.segments)) route.fixed = fixed;
    }
    const { pathname, key } = fixed;
    if (!route.policy.dynamicParams && !route.known.has(pathname)) return emptyResponse(404);
    // A handler that can answer synchronously (the embedded memory handler) confirms the prepared
    // copy is still the stored entry; no value stream, no promise.
    const peek = this.#options.handler.peek;
    if (peek !== undefined) {
      const local = this.#entries.get(key);
      if (local !== undefined) {
        const at = this.#options.now();
        let stored: ReturnType<typeof peek>;
        try {
          stored = peek.call(this.#options.handler, key, local.entry.tags, at);
        } catch {
          stored = undefined;
        }
        if (stored !== undefined && stored.timestamp === local.entry.timestamp) {
          const state = stored.revalidate < 0 ? "STALE" : this.#timeState(local.entry, at);
          if (state === "HIT") return respondFrom(local, "HIT");
          if (state === "STALE") {
            this.#regenerate(route, pathname, params, key, source);
            return respondFrom(local, "STALE");
          }
        }
      }
    }
    return this.#lookup(route, pathname, params, runDynamic, source);
  }

  async #lookup(
    route: CachedRoute,
    pathname: string,
    params: Record<string, string | string[]>,
    runDynamic: () => Response | Promise<Response>,
    source: IncomingSource,
  ): Promise<Response> {
    const key = this.#keyOf(pathname);
    const local = this.#entries.get(key);
    // The shared handler is asked every time: it knows about tag invalidations (revalidateTag,
    // revalidatePath) from every instance, and about entries other instances regenerated. The
    // prepared copy here only saves decoding when the handler still holds the same entry.
    let served: ServedEntry | undefined;
    let marked = false;
    try {
      const tags = local?.entry.tags ?? implicitTags(route.key, pathname);
      let stored = await this.#options.handler.get(key, tags);
      if (stored === undefined && local !== undefined && !this.#published.has(key)) {
        // A build-time entry this instance has not shared yet. Share it, then ask again: an
        // invalidation made after the build (on any instance) must still win.
        await this.#options.handler.set(key, Promise.resolve(toCacheEntry(local.entry)));
        this.#published.add(key);
        stored = await this.#options.handler.get(key, tags);
      }
      if (stored !== undefined) {
        this.#published.add(key);
        marked = stored.revalidate < 0;
        if (local !== undefined && stored.timestamp === local.entry.timestamp) {
          void stored.value.cancel().catch(() => {});
          served = local;
        } else {
          const entry = await fromCacheEntry(stored);
          if (entry !== undefined) {
            served = prepareEntry(entry);
            this.#remember(key, served);
          }
        }
      }
      this.#options.cacheRuntime.storageOk("default");
    } catch (error) {
      // Storage is down: keep answering from what this instance holds (R6 of #4: requests succeed).
      this.#options.cacheRuntime.storageFailed("default", error);
      served = local;
    }
    if (served !== undefined) {
      const state = marked ? "STALE" : this.#timeState(served.entry);
      if (state === "HIT") return respondFrom(served, "HIT");
      if (state === "STALE") {
        this.#regenerate(route, pathname, params, key, source);
        return respondFrom(served, "STALE");
      }
    }
    const result = await this.#fill(route, pathname, params, key);
    return this.#answer(route, result, runDynamic, "MISS", source);
  }

  /** Fresh, stale or gone by age (R76, R154); tag invalidations come from the handler. */
  #timeState(entry: CachedResponse, at = this.#options.now()): CacheState | "GONE" {
    if (entry.revalidate !== false && entry.revalidate < 0) return "STALE";
    const age = at - entry.timestamp;
    if (age >= entry.expire * 1000) return "GONE";
    if (entry.revalidate !== false && age >= entry.revalidate * 1000) return "STALE";
    return "HIT";
  }

  #answer(
    route: CachedRoute,
    result: FillResult,
    runDynamic: () => Response | Promise<Response>,
    state: CacheState,
    source: IncomingSource,
  ): Response | Promise<Response> {
    switch (result.kind) {
      case "entry":
        return respondFrom(result.served, state);
      case "dynamic":
        return runDynamic();
      case "uncacheable": {
        const headers: Record<string, string> = {};
        for (const [name, value] of result.response.headers) headers[name] = value;
        if (headers["cache-control"] === undefined) headers["cache-control"] = PRIVATE_NO_STORE;
        return new FastResponse(result.response.body as Uint8Array<ArrayBuffer>, {
          status: result.response.status,
          headers,
        }) as unknown as Response;
      }
      case "error": {
        this.#options.logger.error(`Failed to render ${route.file} for the route cache:`, result.error);
        const reported = this.#report(route, result.error, source);
        return reported === undefined ? emptyResponse(500) : reported.then(() => emptyResponse(500));
      }
    }
  }

  /** Tells `onRequestError` that rendering `route` for the cache failed (Next: reason "stale"). */
  #report(route: CachedRoute, error: unknown, source: IncomingSource): Promise<void> | undefined {
    const report = this.#options.reportError;
    if (report === undefined) return undefined;
    return report(
      error,
      { method: source.method, url: source.url, headers: source.headers() },
      { routerKind: "App Router", routePath: route.key, routeType: "route", revalidateReason: "stale" },
    );
  }

  /** One background regeneration per key at a time; a failure keeps the stale entry (R76). */
  #regenerate(
    route: CachedRoute,
    pathname: string,
    params: Record<string, string | string[]>,
    key: string,
    source: IncomingSource,
  ): void {
    if (this.#regenerating.has(key)) return;
    this.#regenerating.add(key);
    this.#fill(route, pathname, params, key)
      .then((result) => {
        if (result.kind === "error") {
          this.#options.logger.error(
            `Regenerating ${pathname} (${route.file}) failed; the stale response is kept:`,
            result.error,
          );
          return this.#report(route, result.error, source);
        } else if (result.kind === "uncacheable")
          this.#options.logger.error(
            `Regenerating ${pathname} (${route.file}) produced a response that cannot be cached (${result.reason}); the stale response is kept.`,
          );
      })
      .finally(() => this.#regenerating.delete(key));
  }

  /** Runs the GET for the cache, once per key at a time (coalescing, #7). */
  #fill(
    route: CachedRoute,
    pathname: string,
    params: Record<string, string | string[]>,
    key: string,
  ): Promise<FillResult> {
    let pending = this.#fills.get(key);
    if (pending === undefined) {
      pending = this.render(route, pathname, params).then(async (result) => {
        if (result.kind === "entry") {
          this.#remember(key, result.served);
          try {
            await this.#options.handler.set(key, Promise.resolve(toCacheEntry(result.served.entry)));
            this.#published.add(key);
          } catch (error) {
            this.#options.cacheRuntime.storageFailed("default", error);
          }
        } else if (result.kind === "dynamic") {
          route.dynamic = true;
          this.#warnOnce(
            `dynamic:${route.file}`,
            `${route.file} read ${result.expression} while being rendered for the cache, so its GET now runs on every request.`,
          );
        } else if (result.kind === "uncacheable") {
          this.#warnOnce(
            `uncacheable:${route.file}`,
            `${route.file}: the response for ${pathname} is not cached because ${result.reason}.`,
          );
        }
        return result;
      });
      this.#fills.set(key, pending);
      const clear = () => {
        if (this.#fills.get(key) === pending) this.#fills.delete(key);
      };
      pending.then(clear, clear);
    }
    return pending;
  }

  /**
   * Renders a route's GET with a request that has no headers, cookies or query (R77), watching for
   * request-data reads (R79, R80). Used for fills and build-time prerenders. A build-time prerender
   * (`prerender: true`) of a `cacheComponents` route follows Next 16 (R90, R116): a first run fills
   * the caches and must not call `Date.now()`/`Math.random()`/… outside "use cache" nor use a cache
   * entry that expires within 5 minutes; a second run must then produce its response within one
   * task (only cached data, no timers, fetches or database calls). Otherwise the route is dynamic.
   */
  async render(
    route: CachedRoute,
    pathname: string,
    params: Record<string, string | string[]>,
    options: { prerender?: boolean } = {},
  ): Promise<FillResult> {
    if (options.prerender !== true || !route.policy.cacheComponents)
      return (await this.#renderOnce(route, pathname, params, "plain")).result;
    const memo = new Map<string, unknown>();
    const first = await this.#renderOnce(route, pathname, params, "prospective", memo);
    if (first.result.kind !== "entry") return first.result;
    const { revalidate, expire } = first.scope;
    if (revalidate === 0 || (expire !== undefined && expire < MIN_PRERENDERABLE_EXPIRE)) {
      return {
        kind: "dynamic",
        expression: "a short-lived cache",
        reason: `a "use cache" function it calls has ${revalidate === 0 ? "revalidate 0" : `expire ${expire} s`}; entries that expire within ${MIN_PRERENDERABLE_EXPIRE} s are not prerendered`,
      };
    }
    return (await this.#renderOnce(route, pathname, params, "final", memo)).result;
  }

  async #renderOnce(
    route: CachedRoute,
    pathname: string,
    params: Record<string, string | string[]>,
    mode: "plain" | "prospective" | "final",
    memo?: Map<string, unknown>,
  ): Promise<{ result: FillResult; scope: RouteCacheScope }> {
    const scope: RouteCacheScope = { tags: [] };
    const result = await this.#run(route, pathname, params, mode, scope, memo);
    return { result, scope };
  }

  async #run(
    route: CachedRoute,
    pathname: string,
    params: Record<string, string | string[]>,
    mode: "plain" | "prospective" | "final",
    scope: RouteCacheScope,
    memo: Map<string, unknown> | undefined,
  ): Promise<FillResult> {
    const { basePath, logger, authInterrupts, expireTime, now } = this.#options;
    const policy = route.policy;
    let problem: { expression: string; error?: unknown; reason?: string } | undefined;
    const react = (expression: string): void => {
      if (policy.onDynamic === "ignore") return;
      if (problem === undefined) {
        problem = {
          expression,
          error:
            policy.onDynamic === "error" ? dynamicUsageError(route.key, route.file, expression) : undefined,
        };
      }
      throw problem.error ?? new DynamicUsageSignal(expression);
    };
    // R90: time and randomness make the route dynamic; the call itself goes on (its result is unused).
    const onSyncIO =
      mode === "plain"
        ? undefined
        : (expression: string): void => {
            problem ??= {
              expression,
              reason: `it calls ${expression} outside "use cache" (call \`await connection()\` first to make that explicit)`,
            };
          };
    const base = staticRequest(pathname, basePath);
    const request: NextRequest = policy.mask
      ? maskRequest(base, pathname, basePath)
      : trackRequest(base, react);
    const init: Partial<RequestStore> = {
      phase: "prerender",
      onDynamicAccess: policy.mask ? undefined : react,
      routeCacheScope: scope,
      // The implicit tags are known here; computing them from the request would read its URL,
      // which a tracked fill counts as dynamic (R80).
      [IMPLICIT_TAGS_KEY]: implicitTags(route.key, pathname),
    };
    if (onSyncIO !== undefined) init.onSyncIO = onSyncIO;
    if (memo !== undefined) init.prerenderMemo = memo;
    // A handler that throws is logged by invokeHandler and answered with a 500: keep the error so a
    // build can fail on it and a fill can report it, instead of storing the 500.
    let thrown: { error: unknown } | undefined;
    const quiet: Logger = {
      ...logger,
      error: (message, error) => {
        if (error instanceof DynamicUsageSignal || (problem !== undefined && error === problem.error)) return;
        thrown ??= { error: error ?? new Error(message) };
      },
    };
    const timestamp = now();
    const invoke = () =>
      invokeHandler(
        route,
        route.get,
        request,
        params,
        staticSource(basePath + pathname),
        { logger: quiet, authInterrupts, cacheRuntime: this.#options.cacheRuntime },
        init,
      );
    let read: Awaited<ReturnType<typeof readResponse>>;
    if (mode === "final") {
      let outcome: Awaited<ReturnType<typeof readResponse>> | "late";
      try {
        outcome = await withinOneTask(invoke, readResponse);
      } catch (error) {
        return { kind: "error", error };
      }
      if (outcome === "late" && problem === undefined) {
        return {
          kind: "dynamic",
          expression: "uncached I/O",
          reason:
            'it awaits I/O that is not cached (a timer, fetch or database call) before its response is complete; move that work into a "use cache" function to prerender it',
        };
      }
      if (problem !== undefined) return this.#problem(problem);
      if (thrown !== undefined) return { kind: "error", error: thrown.error };
      read = outcome as Awaited<ReturnType<typeof readResponse>>;
    } else {
      let response: Response;
      try {
        response = await invoke();
      } catch (error) {
        return { kind: "error", error };
      }
      if (problem !== undefined) return this.#problem(problem);
      if (thrown !== undefined) return { kind: "error", error: thrown.error };
      try {
        read = await readResponse(response);
      } catch (error) {
        return { kind: "error", error };
      }
      if (problem !== undefined) return this.#problem(problem);
    }
    let revalidate = policy.revalidate;
    if (scope.revalidate !== undefined && (revalidate === false || scope.revalidate < revalidate))
      revalidate = scope.revalidate;
    let expire = revalidate === false ? expireTime : Math.max(expireTime, revalidate);
    if (scope.expire !== undefined && scope.expire < expire) expire = scope.expire;
    const entry: CachedResponse = {
      status: read.status,
      headers: read.headers,
      body: read.body,
      tags: [...new Set([...implicitTags(route.key, pathname), ...read.tags, ...scope.tags])],
      timestamp,
      revalidate,
      expire,
    };
    if (read.reason !== undefined) return { kind: "uncacheable", response: entry, reason: read.reason };
    return { kind: "entry", served: prepareEntry(entry) };
  }

  #problem(problem: { expression: string; error?: unknown; reason?: string }): FillResult {
    if (problem.error !== undefined) return { kind: "error", error: problem.error };
    return problem.reason === undefined
      ? { kind: "dynamic", expression: problem.expression }
      : { kind: "dynamic", expression: problem.expression, reason: problem.reason };
  }

  #warnOnce(id: string, message: string, error?: unknown): void {
    if (this.#warned.has(id)) return;
    this.#warned.add(id);
    if (error === undefined) this.#options.logger.warn(message);
    else this.#options.logger.error(message, error);
  }
}

/** Cache entries expiring sooner than this (seconds) make a `cacheComponents` GET dynamic (R116). */
export const MIN_PRERENDERABLE_EXPIRE = 300;

/** What cached functions called by a GET being rendered add to the route entry (R102, R106). */
type RouteCacheScope = NonNullable<RequestStore["routeCacheScope"]>;

/**
 * Next 16's task budget for a `cacheComponents` prerender (R90): the handler starts in a fresh task
 * and must hand back its Response before the next task runs; the body then gets one more task.
 * Cached data arrives in microtasks, so only uncached I/O misses it. Resolves "late" when it does;
 * the handler keeps running, but its result is dropped.
 */
function withinOneTask<R>(
  invoke: () => Response | Promise<Response>,
  read: (response: Response) => Promise<R>,
): Promise<R | "late"> {
  return new Promise<R | "late">((resolve, reject) => {
    let responded = false;
    let done = false;
    const finish = (value: R | "late") => {
      if (done) return;
      done = true;
      resolve(value);
    };
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      reject(error);
    };
    setImmediate(() => {
      Promise.resolve()
        .then(invoke)
        .then((response) => {
          if (done) return;
          responded = true;
          setImmediate(() => finish("late"));
          read(response).then(finish, fail);
        }, fail);
    });
    setImmediate(() => {
      if (!responded) finish("late");
    });
  });
}

/** True for errors that mean "this build must fail" when a prerender hits them. */
export function isBuildError(error: unknown): boolean {
  return isApprouteError(error);
}
