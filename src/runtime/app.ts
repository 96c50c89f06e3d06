/**
 * The application: a Web-standard `fetch(Request) → Response` over a set of loaded route modules,
 * plus `handle()`, the same pipeline for adapters that describe requests lazily. Request order:
 * canonical redirects (R11–R13) → basePath → route match → method (R17–R23) → params (R14–R16) →
 * handler.
 * @module
 */
import { preciseNow } from "../cache/entry.js";
import { noteDefaultFetchCaching } from "../cache/fetch-cache.js";
import { type CacheConfig, type CacheRuntime, createCacheRuntime } from "../cache/runtime.js";
import type { CacheHandler } from "../cache/types.js";
import { requestStorage } from "../context/request-store.js";
import { parseByteSize } from "../core/byte-size.js";
import { createMethodTable, type MethodTable, type RouteHandler, resolveMethod } from "../core/dispatch.js";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import { routeKey, type Segment } from "../core/route-id.js";
import { createRouter, decodeParams, type RouteEntry, type RouteMatch, type Router } from "../core/router.js";
import { readSegmentConfig, routePolicy, type SegmentConfig } from "../core/segment-config.js";
import {
  groupQuery,
  printRedirectQuery,
  repeatedSlashRedirect,
  resolvePathname,
  routablePath,
  splitTarget,
  trailingSlashRedirect,
} from "../core/url.js";
import { isFastResponse, realResponse } from "../web/fast-response.js";
import {
  createIncomingRequest,
  type IncomingSource,
  setIncomingHeaders,
  sourceFromRequest,
} from "../web/next-request.js";
import { deserializeEntry, PRIVATE_NO_STORE, type SerializedCachedResponse } from "./cached-response.js";
import { type NextConfigInput, type ResolvedConfig, resolveConfig } from "./config.js";
import {
  buildDestination,
  compileConfigRoutes,
  firstMatch,
  isEmpty,
  matchHeaders,
  matchRule,
  type RewriteRule,
} from "./config-routes.js";
import { withDeadline } from "./deadline.js";
import { mayHoldDraftCookies, staleDraftCookies } from "./draft-cookies.js";
import { matchInputFor, overlay, proxyExternal, withHeaders } from "./final-headers.js";
import { adaptIncrementalHandler, type NextIncrementalCacheHandler } from "./incremental-handler.js";
import {
  createErrorReporter,
  type InstrumentationRecord,
  type RequestErrorReporter,
} from "./instrumentation.js";
import { type InvokeTarget, invokeHandler } from "./invoke.js";
import { consoleLogger, type Logger } from "./logger.js";
import { type PrerenderResult, prerenderRoutes } from "./prerender.js";
import {
  compileProxy,
  type ProxyContinue,
  proxyMatches,
  redirectResponse,
  replayableBody,
  runProxy,
} from "./proxy.js";
import { createPublicFiles, type PublicFilesRecord } from "./public-files.js";
import {
  emptyResponse,
  permanentRedirectResponse,
  prerenderedMethodNotAllowed,
  textResponse,
} from "./responses.js";
import { rescheme, retarget } from "./retarget.js";
import { type CachedRoute, canonicalPath, RouteCache } from "./route-cache.js";
import { onShutdown } from "./shutdown.js";
import { maskRequest } from "./static-request.js";
import { createTracing, type OtelApi } from "./tracing.js";

/** A loaded route module as the build (or dev server) hands it over. */
export interface RouteModuleRecord {
  /** Route file relative to the project root, for logs and errors. */
  file: string;
  segments: readonly Segment[];
  /** The module; absent when `lazy` says how to load it. */
  module?: Record<string, unknown>;
  /**
   * A module imported on first use, with the exports the build recorded (its functions' names and
   * its other exports), so everything decided at start — methods, Allow, segment config — is known
   * without importing it. The app preloads these in the background once it is created, as
   * `next start` does (`preloadEntriesOnStart`), so the first request seldom waits.
   */
  lazy?: LazyRouteModule;
  /**
   * `false` when the build proved the module never reads the request store (`next/headers`,
   * `after()`, `next/cache`, "use cache"): its handlers are then called without entering it (#6).
   */
  requestStore?: boolean;
}

/** See {@link RouteModuleRecord.lazy}. */
export interface LazyRouteModule {
  load(): Promise<Record<string, unknown>>;
  exports: { functions: readonly string[]; values: Record<string, unknown> };
}

/** The proxy (`proxy.ts`) or middleware (`middleware.ts`) module, if the project has one. */
export interface ProxyRecord {
  file: string;
  kind: "proxy" | "middleware";
  module: Record<string, unknown>;
}

/** A route that failed to compile in dev: every method answers 500 with the compile error. */
export interface FailedRouteRecord {
  file: string;
  segments: readonly Segment[];
  message: string;
}

export interface AppOptions {
  routes: readonly RouteModuleRecord[];
  failed?: readonly FailedRouteRecord[];
  proxy?: ProxyRecord;
  /** `instrumentation.*` of the build; its `register()` has run by now (the entry awaits it). */
  instrumentation?: InstrumentationRecord;
  /** The project's `public/` folder and the files the build found in it. */
  publicFiles?: PublicFilesRecord;
  /** The project's `@opentelemetry/api` when a tracer provider is registered (see `loadOtelApi`). */
  otel?: OtelApi;
  config?: NextConfigInput;
  buildId?: string;
  /** Draft-mode secret shared by every process serving one build (R68); random when absent. */
  previewId?: string;
  logger?: Logger;
  dev?: boolean;
  /** Handler instances for `cacheHandlers` kinds, loaded by the entry (see `loadCacheHandlers`). */
  cacheHandlers?: Record<string, CacheHandler>;
  /**
   * An instance of the next.config singular `cacheHandler` class (R121), loaded by the entry (see
   * `loadIncrementalCacheHandler`): it stores ISR responses and fetch entries.
   */
  incrementalCacheHandler?: NextIncrementalCacheHandler;
  /** Clock in ms for cache lifetimes; tests inject one. Default: `Date.now()` with sub-millisecond precision. */
  now?: () => number;
  /** Redis URL for the shared cache; default `APPROUTE_REDIS_URL` or `approute.redis` in config. */
  redisUrl?: string;
  /** Responses prerendered by the build, and the files it found to be dynamic (R74, R80). */
  prerendered?: { entries: Array<SerializedCachedResponse & { file: string }>; dynamic: string[] };
}

/** Per-route data the router carries. */
export interface RouteData {
  module: Record<string, unknown>;
  /** What invoking needs: route key, file, and whether the request store can be skipped. */
  target: InvokeTarget;
  methods: MethodTable;
  /** The route's own body limit in bytes (`export const bodySizeLimit`), if it sets one (A6). */
  bodyLimit: number | undefined;
  /** Set when the route's GET is served through the route cache. */
  cached?: CachedRoute;
  /** force-static outside the cache (a file that also exports POST…): GET sees a masked request (R73, R77). */
  mask?: boolean;
  /** Seconds the handler has to complete its response (R87, `export const maxDuration`). */
  maxDuration?: number;
}

export interface App {
  /** Web-standard entry: serves `request` in-process. */
  fetch(request: Request): Promise<Response>;
  /** Adapter entry: `target` is the raw request target (`/path?query`). May return synchronously. */
  handle(source: IncomingSource, target: string): Response | Promise<Response>;
  /**
   * Adapter shortcut for the commonest cached request: a GET or HEAD, without draft-mode cookies,
   * whose target is exactly a cached route's path (no query, nothing to normalise) and whose entry is
   * fresh in the embedded store. `cookie` is the request's Cookie header, if any. Returns what
   * `handle` would, or undefined when `handle` must decide. Absent when a proxy, next.config rules,
   * a basePath or trailingSlash could change the answer.
   */
  readonly hit?: (method: string, target: string, cookie: string | undefined) => Response | undefined;
  readonly router: Router<RouteData>;
  readonly config: ResolvedConfig;
  /** The cache runtime: handlers by kind, profiles, tag invalidation (shared by "use cache" and ISR). */
  readonly cache: CacheRuntime;
  /**
   * Releases what the app holds open (the Redis connection), stops the background preload of route
   * modules and waits for the load in flight, so the build can be removed once it resolves.
   */
  close(): Promise<void>;
  /** The largest `bodySizeLimit` any route exports; adapters let such bodies through to routing. */
  readonly maxBodyLimit: number | undefined;
  /** The route cache (undefined when no route is cached, and in dev). */
  readonly routeCache: RouteCache | undefined;
  /** Build only: prerenders every cached GET (R74). Throws the build error of a failing route. */
  prerender(): Promise<PrerenderResult>;
}

/** Builds the app. Throws `APR_ROUTE_CONFLICT` for conflicting routes (R9, R10). */
export function createApp(options: AppOptions): App {
  const logger = options.logger ?? consoleLogger;
  const config = resolveConfig(options.config ?? {}, (m) => logger.warn(m));
  const records = [...options.routes];
  for (const failed of options.failed ?? [])
    records.push({
      file: failed.file,
      segments: failed.segments,
      module: compileErrorModule(failed.message),
    });
  const pending: Array<() => Promise<unknown>> = [];
  const router = createRouter<RouteData>(
    records.map((r) => {
      const data = {
        target: { key: routeKey(r.segments), file: r.file, bare: r.requestStore === false },
      } as RouteData;
      if (r.lazy !== undefined) pending.push(lazyModule(data, r.lazy, r.file, logger));
      else if (r.module !== undefined) data.module = r.module;
      else throw new TypeError(`createApp: route ${r.file} has neither a module nor a lazy loader.`);
      data.methods = createMethodTable(data.module);
      data.bodyLimit = readBodySizeLimit(data.module, r.file);
      return { segments: r.segments, file: r.file, data };
    }),
  );
  // Background preload, as next start does: listening does not wait for it. One module at a time,
  // so a request for a route not loaded yet waits for its own module, not for all of them. A module
  // that fails is logged once; its requests answer 500. `experimental.preloadEntriesOnStart: false`
  // turns it off, as in Next: each module then loads on its route's first request.
  // Stops once the app is closed: a closed app loads nothing more in the background, and close()
  // waits for the one load in flight, so its files can be removed once close() has resolved.
  let closed = false;
  let preloading: Promise<unknown> = Promise.resolve();
  if (pending.length > 0 && config.raw.experimental?.preloadEntriesOnStart !== false)
    preloading = new Promise<void>((resolve) =>
      queueMicrotask(() => {
        let chain: Promise<unknown> = Promise.resolve();
        for (const load of pending)
          chain = chain.then(() => (closed ? undefined : load().catch(() => undefined)));
        resolve(chain.then(() => undefined));
      }),
    );
  let maxBodyLimit: number | undefined;
  for (const route of router.routes) {
    const limit = route.data.bodyLimit;
    if (limit !== undefined && (maxBodyLimit === undefined || limit > maxBodyLimit)) maxBodyLimit = limit;
  }
  if (options.dev) {
    for (const route of router.routes) {
      for (const name of route.data.methods.ignored) {
        logger.warn(
          `${route.file} exports "${name}"; route handler methods must be upper case (${name.toUpperCase()}). It is ignored.`,
        );
      }
    }
  }
  // next.config `env` (R146–R157): Next inlines these at build; approute sets them before any request.
  for (const [key, value] of Object.entries(config.env)) process.env[key] = value;
  const { basePath, trailingSlash, authInterrupts } = config;
  // With skipTrailingSlashRedirect nothing redirects to the configured slash form, so routes (and
  // public files) match a path with or without its trailing slash, as in next start.
  const skipSlashRedirect = config.skipTrailingSlashRedirect;
  const stripSlash = trailingSlash || skipSlashRedirect;
  const nextConfig = { basePath, trailingSlash };
  const cache = createCacheRuntime({
    config: config.raw as CacheConfig,
    handlers: options.cacheHandlers,
    buildId: options.buildId,
    logger,
    now: options.now,
    redisUrl: options.redisUrl,
    incremental:
      options.incrementalCacheHandler === undefined
        ? undefined
        : adaptIncrementalHandler(options.incrementalCacheHandler, {
            buildId: options.buildId ?? "development",
            now: options.now ?? preciseNow,
            logger,
          }),
  });
  // A shared cache (Redis) is closed after a graceful shutdown has drained the server.
  if (cache.holdsConnections) onShutdown(() => cache.close());
  const reportError = createErrorReporter(options.instrumentation, logger);
  const invokeOptions = {
    logger,
    authInterrupts,
    cacheRuntime: cache,
    previewId: options.previewId,
    dev: options.dev === true,
    reportError,
  };
  const { routeCache, candidates } = setUpRouteCache(router, options, config, logger, cache, reportError);

  const proxy = options.proxy === undefined ? undefined : compileProxy(options.proxy);
  const proxyRoutePath = options.proxy?.kind === "middleware" ? "/middleware" : "/proxy";
  const publicFiles = createPublicFiles(options.publicFiles);
  const tracing = createTracing(options.otel);
  if (options.proxy?.kind === "middleware") {
    logger.warn(
      `${options.proxy.file}: the "middleware" file convention is deprecated; rename it to proxy.ts and the exported function to "proxy" (Next 16).`,
    );
  }
  const rules = compileConfigRoutes(config.raw as Record<string, unknown>);
  const hasRules = !isEmpty(rules);
  const conditional = rules.conditional || proxy?.conditional === true;

  // hot path: keep allocation to the request object, the params object and the context.
  function handle(source: IncomingSource, rawTarget: string): Response | Promise<Response> {
    const target = splitTarget(rawTarget);
    if (target === null) return textResponse(400, "Bad Request: invalid request target");
    const slashes = repeatedSlashRedirect(target, rawTarget);
    if (slashes !== null) return permanentRedirectResponse(slashes);
    const resolved = resolvePathname(target.pathname);
    if (resolved !== null) {
      // R16: `/a/../b` is `/b`, for routing, redirects and the handler's request.url.
      target.pathname = resolved;
      source = retarget(source, resolved + target.search);
    }
    const redirect = skipSlashRedirect ? null : trailingSlashRedirect(target.pathname, trailingSlash);
    if (redirect !== null)
      return permanentRedirectResponse(redirect + printRedirectQuery(groupQuery(target.search)));

    let pathname: string | null = target.pathname;
    if (basePath !== "") {
      if (pathname === basePath) pathname = "/";
      else if (pathname.startsWith(basePath) && pathname.charCodeAt(basePath.length) === 47)
        pathname = pathname.slice(basePath.length);
      else if (hasRules) pathname = null;
      else return emptyResponse(404);
    }
    if (proxy !== undefined || hasRules)
      return handleWithRules(source, target.pathname, pathname, target.search);
    if (stripSlash) pathname = routablePath(pathname!);
    // A public/ file wins over a route of the same path, as in next start.
    const file = publicFiles?.serve(source, pathname!);
    if (file !== undefined) return file;
    return serve(source, router.match(pathname!), undefined);
  }

  // The exact-path lane (see App.hit): param-less cached routes by the one target that reaches them
  // unchanged. Checked against the full pipeline once here, so the lane never answers a target the
  // pipeline would normalise, redirect or route elsewhere.
  const exact = new Map<string, RouteEntry<RouteData>>();
  if (routeCache !== undefined && proxy === undefined && !hasRules && basePath === "" && !stripSlash) {
    for (const route of router.routes) {
      const data = route.data;
      if (route.params.length > 0 || data.cached === undefined || data.cached.dynamic) continue;
      if (data.maxDuration !== undefined || data.bodyLimit !== undefined) continue;
      const path = canonicalPath(route.segments, {});
      const target = splitTarget(path);
      if (target === null || target.pathname !== path || target.search !== "") continue;
      if (repeatedSlashRedirect(target, path) !== null || resolvePathname(path) !== null) continue;
      if (router.match(path)?.route !== route || publicFiles?.has(path)) continue;
      exact.set(path, route);
    }
  }

  function hit(method: string, target: string, cookie: string | undefined): Response | undefined {
    if (method !== "GET" && method !== "HEAD") return undefined;
    const route = exact.get(target);
    if (route === undefined) return undefined;
    // Draft mode (R69) and stale draft cookies (R68) are the only cookies a cached answer heeds.
    if (cookie !== undefined && mayHoldDraftCookies(cookie)) return undefined;
    const data = route.data;
    // The same choice `run` makes: GET's handler answers (HEAD falls back to it unless exported).
    const resolution = data.methods.byMethod[method];
    if (resolution?.kind !== "handler" || resolution.handler !== data.methods.handlers.GET) return undefined;
    return routeCache!.hit(data.cached!);
  }

  function serve(
    source: IncomingSource,
    match: RouteMatch<RouteData> | null,
    requestHeaders: Headers | undefined,
  ): Response | Promise<Response> {
    if (match === null) {
      const stale = staleDraftCookies(
        source.header?.("cookie") ?? null,
        options.previewId,
        options.dev === true,
      );
      return stale === undefined ? emptyResponse(404) : withHeaders(emptyResponse(404), stale);
    }
    const route = match.route;
    const cached = route.data.cached;
    if (cached !== undefined && !cached.dynamic && source.method !== "GET" && source.method !== "HEAD")
      return prerenderedOtherMethod(cached, match);
    // R15/A2: a param that does not decode is refused whatever the method, as next start fails
    // on it (500) before dispatching the method.
    const params = route.params.length === 0 ? {} : decodeParams(route.params, match.values);
    if (params === null) return textResponse(400, "Bad Request: malformed percent-encoding in path");
    const answer = dispatch(source, route, params, requestHeaders);
    // R68: a route's answer expires stale draft-mode cookies (first, before the route's own).
    const stale = staleDraftCookies(
      source.header?.("cookie") ?? null,
      options.previewId,
      options.dev === true,
    );
    if (stale === undefined) return answer;
    return answer instanceof Promise ? answer.then((r) => withHeaders(r, stale)) : withHeaders(answer, stale);
  }

  /** Method dispatch on a matched route whose params decoded (R17–R23), then the handler. */
  function dispatch(
    source: IncomingSource,
    route: RouteEntry<RouteData>,
    params: Record<string, string | string[]>,
    requestHeaders: Headers | undefined,
  ): Response | Promise<Response> {
    const resolution = resolveMethod(route.data.methods, source.method);
    if (resolution.kind !== "handler") {
      if (resolution.kind === "options") return emptyResponse(204, { allow: route.data.methods.allow });
      if (resolution.kind === "not-allowed") return emptyResponse(405, { allow: route.data.methods.allow });
      return emptyResponse(400);
    }
    const bodyLimit = route.data.bodyLimit;
    if (bodyLimit !== undefined && source.limitBody !== undefined && !source.limitBody(bodyLimit))
      return payloadTooLarge(bodyLimit);

    const data = route.data;
    if (data.maxDuration !== undefined) {
      const handler = resolution.handler;
      return withDeadline(route, data.maxDuration, source, logger, (bounded) =>
        run(route, handler, params, bounded, requestHeaders),
      );
    }
    return run(route, resolution.handler, params, source, requestHeaders);
  }

  /**
   * A method other than GET/HEAD on a prerendered route: next start answers it before the route
   * module runs — 405 `Method Not Allowed` (R73), or 404 for a param `dynamicParams = false` does not
   * know (R83).
   */
  function prerenderedOtherMethod(cached: CachedRoute, match: RouteMatch<RouteData>): Response {
    const route = match.route;
    if (!cached.policy.dynamicParams && route.params.length > 0) {
      const params = decodeParams(route.params, match.values);
      if (params === null) return textResponse(400, "Bad Request: malformed percent-encoding in path");
      if (!cached.known.has(canonicalPath(route.segments, params))) return emptyResponse(404);
    }
    return prerenderedMethodNotAllowed();
  }

  /** Calls the handler of a matched route (through the route cache for cached GETs). */
  function run(
    route: RouteEntry<RouteData>,
    handler: RouteHandler,
    params: Record<string, string | string[]>,
    source: IncomingSource,
    requestHeaders: Headers | undefined,
  ): Response | Promise<Response> {
    const data = route.data;
    if (data.cached !== undefined || data.mask === true) {
      if (handler === data.methods.handlers.GET)
        return serveStaticGet(route, handler, params, source, requestHeaders);
    }
    const request = createIncomingRequest(source, nextConfig);
    if (requestHeaders !== undefined) setIncomingHeaders(request, requestHeaders);
    if (tracing !== undefined)
      return tracing.handler(source.method, data.target.key, () =>
        invokeHandler(data.target, handler, request, params, source, invokeOptions),
      );
    return invokeHandler(data.target, handler, request, params, source, invokeOptions);
  }

  /** GET of a cached or force-static route (R69, R73–R77). Other routes never come here. */
  function serveStaticGet(
    route: RouteEntry<RouteData>,
    handler: RouteHandler,
    params: Record<string, string | string[]>,
    source: IncomingSource,
    requestHeaders: Headers | undefined,
  ): Response | Promise<Response> {
    const data = route.data;
    const mask = data.cached?.policy.mask ?? data.mask === true;
    const live = (): Response | Promise<Response> => {
      let request = createIncomingRequest(source, nextConfig);
      if (requestHeaders !== undefined) setIncomingHeaders(request, requestHeaders);
      if (mask) request = maskRequest(request, canonicalPath(route.segments, params), basePath);
      const init = mask ? { phase: "prerender" as const } : undefined;
      if (tracing !== undefined)
        return tracing.handler(source.method, route.key, () =>
          invokeHandler(route, handler, request, params, source, invokeOptions, init),
        );
      return invokeHandler(route, handler, request, params, source, invokeOptions, init);
    };
    const cached = data.cached;
    if (cached === undefined || routeCache === undefined || cached.dynamic) return live();
    if (routeCache.isDraft(cookieHeader(source, requestHeaders))) {
      // R69: draft mode bypasses the cache, and nothing downstream may cache the answer.
      return Promise.resolve(live()).then((response) => {
        response.headers.set("cache-control", PRIVATE_NO_STORE);
        return response;
      });
    }
    return routeCache.serve(cached, params, live, source);
  }

  function matchPath(pathname: string): RouteMatch<RouteData> | null {
    return router.match(stripSlash ? routablePath(pathname) : pathname);
  }

  /**
   * The full order (R127): next.config headers → redirects → proxy → beforeFiles rewrites → routes
   * (afterFiles rewrites before dynamic routes, fallback rewrites last) → handler. Only apps with a
   * proxy or config rules come here.
   */
  async function handleWithRules(
    source: IncomingSource,
    fullPath: string,
    pathname: string | null,
    search: string,
  ): Promise<Response> {
    const input = conditional ? matchInputFor(source, search) : undefined;
    // Rules match the path inside basePath, which next start finds case-insensitively, as it
    // matches the rules themselves (`/BASE/x` meets `/x`); routes and the proxy still need the
    // exact basePath. null: outside basePath, where only `basePath: false` rules apply (R146).
    const inside = pathname ?? insensitiveInside(fullPath);
    // As next start, no redirect applies under `/_next` (its own assets' prefix).
    if (rules.redirects.length > 0 && !(inside !== null && /^\/_next/i.test(inside))) {
      const hit = firstMatch(rules.redirects, inside, fullPath, input);
      if (hit !== null) {
        // R148/R149: as next start, a redirect carries no headers() rule's headers.
        const dest = buildDestination(hit.rule.destination, hit.params, search, "redirect");
        if (dest === null) return unfilledDestination("redirects", hit.rule.destination, fullPath);
        let path = dest.path;
        if (path.startsWith("/")) {
          // R13: `//` or `\` from a param never makes a protocol-relative (open) redirect.
          path = path.replace(/[\\/]{2,}|\\/g, "/");
          if (hit.rule.prefixBasePath && basePath !== "") path = basePath + path;
        }
        return redirectResponse(hit.rule.status, new Headers({ location: path + dest.search }));
      }
    }
    let extra = rules.headers.length > 0 ? matchHeaders(rules.headers, inside, fullPath, input) : undefined;
    if (inside === null) {
      // R146/R150: outside basePath no route, no proxy; only `basePath: false` rewrites, which are
      // all external (an internal one is refused at start, as by next build), in phase order.
      for (const list of [rules.beforeFiles, rules.afterFiles, rules.fallback]) {
        const hit = list.length > 0 ? firstMatch(list, null, fullPath, input) : null;
        if (hit === null) continue;
        const dest = buildDestination(hit.rule.destination, hit.params, search, "external");
        if (dest === null) return unfilledDestination("rewrites", hit.rule.destination, fullPath);
        return proxyExternal(dest.path + dest.search, source, undefined, logger);
      }
      return withHeaders(emptyResponse(404), extra);
    }

    let current = inside;
    // `/BASE/x` is no route's path; a rewrite can still lead to one.
    let routable = pathname !== null;
    let requestHeaders: Headers | undefined;
    if (proxy !== undefined && pathname !== null && proxyMatches(proxy, pathname, input)) {
      // A2/R18: the proxy never sees a TRACE (a Fetch Request cannot carry it; next start fails with
      // a 500 there): 400, as on a route.
      if (source.method === "TRACE") return withHeaders(emptyResponse(400), extra);
      const { proxySource, handlerSource } = replayableBody(source);
      let outcome: Response | ProxyContinue;
      try {
        outcome = await runProxy(proxy, proxySource, nextConfig, basePath, logger);
      } catch (error) {
        logger.error(`Error in ${proxy.file} (${source.method} ${fullPath}):`, error);
        // As Next names them: the proxy runs outside the App Router.
        if (reportError !== undefined)
          await reportError(
            error,
            { method: source.method, url: source.url, headers: source.headers() },
            { routerKind: "Pages Router", routePath: proxyRoutePath, routeType: "proxy" },
          );
        return withHeaders(emptyResponse(500), extra);
      }
      if (outcome instanceof Response) return withHeaders(outcome, extra);
      source = handlerSource();
      if (outcome.responseHeaders !== undefined) extra = overlay(extra, outcome.responseHeaders);
      requestHeaders = outcome.requestHeaders;
      if (outcome.scheme !== undefined) source = rescheme(source, outcome.scheme);
      if (outcome.external !== undefined)
        return withHeaders(await proxyExternal(outcome.external, source, requestHeaders, logger), extra);
      if (outcome.rewrite !== undefined) {
        // R129: the handler sees the rewrite's target, query included, not the requested URL.
        if (outcome.rewrite.pathname === null) return withHeaders(emptyResponse(404), extra);
        current = outcome.rewrite.pathname;
        source = retarget(source, outcome.rewrite.path + outcome.rewrite.search);
      }
    }

    // Config rewrites as next start runs them (R127, R150): within a phase the rules go in order
    // and each sees the path the ones before it rewrote to. All beforeFiles rules apply; then a
    // static route is served; then after each afterFiles rewrite, and after them, any route that
    // matches is; then the fallback rules, again served as soon as a route matches.
    let currentFull = fullPath;
    const phase = async (
      list: RewriteRule[],
      check: boolean,
    ): Promise<{ match: RouteMatch<RouteData> } | { response: Response } | null> => {
      for (const rule of list) {
        const params = matchRule(rule, current, currentFull, input);
        if (params === null) continue;
        const kind = rule.external ? "external" : "internal";
        const dest = buildDestination(rule.destination, params, search, kind);
        if (dest === null) return { response: unfilledDestination("rewrites", rule.destination, fullPath) };
        // As next start, the upstream's answer goes out without headers() or proxy headers.
        if (rule.external)
          return { response: await proxyExternal(dest.path + dest.search, source, requestHeaders, logger) };
        current = dest.path;
        currentFull = rule.raw ? dest.path : basePath + dest.path;
        routable = true;
        if (!check) continue;
        const found = matchPath(current);
        if (found !== null) return { match: found };
      }
      return null;
    };

    if (rules.beforeFiles.length > 0) {
      const hit = await phase(rules.beforeFiles, false);
      if (hit !== null && "response" in hit) return hit.response;
    }
    if (routable && publicFiles !== undefined) {
      const file = publicFiles.serve(source, stripSlash ? routablePath(current) : current);
      if (file !== undefined) return withHeaders(await file, extra);
    }
    let match = routable ? matchPath(current) : null;
    let settled = match !== null && match.route.params.length === 0;
    if (!settled && rules.afterFiles.length > 0) {
      const before = current;
      const hit = await phase(rules.afterFiles, true);
      if (hit !== null) {
        if ("response" in hit) return hit.response;
        match = hit.match;
        settled = true;
      } else if (current !== before) match = null; // rewritten to a path no route matches
    }
    if (!settled && match === null && rules.fallback.length > 0) {
      const hit = await phase(rules.fallback, true);
      if (hit !== null) {
        if ("response" in hit) return hit.response;
        match = hit.match;
      }
    }
    return withHeaders(await serve(source, match, requestHeaders), extra);
  }

  /** `fullPath` inside a basePath that matches it only case-insensitively, or null. */
  function insensitiveInside(fullPath: string): string | null {
    if (basePath === "" || fullPath.length < basePath.length) return null;
    if (fullPath.slice(0, basePath.length).toLowerCase() !== basePath.toLowerCase()) return null;
    if (fullPath.length === basePath.length) return "/";
    return fullPath.charCodeAt(basePath.length) === 47 ? fullPath.slice(basePath.length) : null;
  }

  /** A destination that needs a param its source left out (`:id?` used as `:id`): 500, as next start. */
  function unfilledDestination(kind: string, destination: string, path: string): Response {
    logger.error(
      `next.config ${kind}: the destination ${JSON.stringify(destination)} needs a parameter that ${path} did not capture; make it optional in the destination too (:name*) or required in the source.`,
    );
    return emptyResponse(500);
  }

  async function fetch(request: Request): Promise<Response> {
    const url = request.url;
    const pathStart = url.indexOf("/", url.indexOf("//") + 2);
    const target = pathStart === -1 ? "/" : url.slice(pathStart);
    const cached =
      exact.size > 0 && tracing === undefined
        ? hit(request.method, target, request.headers.get("cookie") ?? undefined)
        : undefined;
    const response = cached ?? (await traced(sourceFromRequest(request), target));
    // Hosts such as Deno and Bun brand-check the Response they are given: hand them a real one.
    const real = isFastResponse(response) ? realResponse(response) : response;
    if (request.method === "HEAD" && real.body !== null) {
      void real.body.cancel().catch(() => {});
      return new Response(null, { status: real.status, statusText: real.statusText, headers: real.headers });
    }
    return real;
  }

  async function prerender(): Promise<PrerenderResult> {
    if (routeCache === undefined) return { routes: [], entries: [] };
    return prerenderRoutes(candidates, routeCache);
  }

  // With tracing every request gets its span: the exact-path lane (no span) is off then.
  const traced =
    tracing === undefined
      ? handle
      : (source: IncomingSource, target: string) => tracing.request(source, target, handle);
  return {
    fetch,
    handle: traced,
    hit: exact.size > 0 && tracing === undefined ? hit : undefined,
    router,
    config,
    cache,
    close: async () => {
      closed = true;
      await preloading;
      return cache.close();
    },
    routeCache,
    prerender,
    maxBodyLimit,
  };
}

/** The request's Cookie header, without building Headers when the adapter can avoid it. */
function cookieHeader(source: IncomingSource, requestHeaders: Headers | undefined): string | null {
  if (requestHeaders !== undefined) return requestHeaders.get("cookie");
  return source.header === undefined ? source.headers().get("cookie") : source.header("cookie");
}

/**
 * Reads every route's segment config (R88; throws APR_INVALID_SEGMENT_CONFIG) and decides, once, which
 * GETs go through the route cache. Routes that are not cached carry nothing extra on the hot path.
 */
function setUpRouteCache(
  router: Router<RouteData>,
  options: AppOptions,
  config: ResolvedConfig,
  logger: Logger,
  cache: CacheRuntime,
  reportError: RequestErrorReporter | undefined,
): {
  routeCache: RouteCache | undefined;
  candidates: Array<{ route: CachedRoute; generateStaticParams?: () => unknown }>;
} {
  const cacheComponents = config.raw.cacheComponents === true;
  const dynamicFiles = new Set(options.prerendered?.dynamic ?? []);
  const candidates: Array<{ route: CachedRoute; generateStaticParams?: () => unknown }> = [];
  for (const route of router.routes) {
    const module = route.data.module;
    const segmentConfig = readSegmentConfig(module, route.file, {
      cacheComponents,
      outputExport: config.raw.output === "export",
    });
    const maxDuration = segmentConfig.maxDuration ?? config.maxDuration;
    if (maxDuration !== undefined) route.data.maxDuration = maxDuration;
    const policy = routePolicy(segmentConfig, module, {
      cacheComponents,
      hasParams: route.params.length > 0,
    });
    noteFetchPolicy(cache, route.key, module, segmentConfig);
    if (policy.mode !== "dynamic") cache.routeRevalidate.set(route.key, policy.revalidate);
    if (policy.mode === "dynamic" || options.dev) {
      if (policy.mask) route.data.mask = true;
      continue;
    }
    const cached: CachedRoute = {
      key: route.key,
      file: route.file,
      segments: route.segments,
      policy,
      get: route.data.methods.handlers.GET!,
      known: new Set(),
      dynamic: dynamicFiles.has(route.file),
    };
    route.data.cached = cached;
    candidates.push({ route: cached, generateStaticParams: segmentConfig.generateStaticParams });
  }
  if (candidates.length === 0) return { routeCache: undefined, candidates };
  const expireTime = typeof config.raw.expireTime === "number" ? config.raw.expireTime : 31536000;
  const routeCache = new RouteCache({
    reportError,
    handler: cache.routeHandler,
    buildId: cache.buildId,
    expireTime,
    logger,
    authInterrupts: config.authInterrupts,
    basePath: config.basePath,
    cacheRuntime: cache,
    now: cache.now,
    maxEntries: 10000,
    previewId: options.previewId,
  });
  const byFile = new Map(candidates.map((c) => [c.route.file, c.route]));
  for (const item of options.prerendered?.entries ?? []) {
    const route = byFile.get(item.file);
    if (route !== undefined && !route.dynamic) routeCache.seed(route, item.pathname, deserializeEntry(item));
  }
  return { routeCache, candidates };
}

/**
 * Records what a route's segment config means for its `fetch` calls (R78, R85). Routes with no such
 * config add nothing, and only a `fetchCache` that caches option-less fetches turns off the
 * binding's straight-to-global path.
 */
function noteFetchPolicy(
  cache: CacheRuntime,
  key: string,
  module: Record<string, unknown>,
  config: SegmentConfig,
): void {
  // Next distinguishes an exported `fetchCache = "auto"` from none at all.
  const fetchCache = module.fetchCache === undefined ? undefined : config.fetchCache;
  const forceDynamic = config.dynamic === "force-dynamic";
  const forceStatic = config.dynamic === "force-static";
  if (fetchCache === undefined && !forceDynamic && !forceStatic) return;
  cache.fetchPolicies.set(key, { fetchCache, forceDynamic, forceStatic });
  if (fetchCache !== undefined && !fetchCache.endsWith("no-store")) noteDefaultFetchCaching();
}

/**
 * Reads `export const bodySizeLimit` (bytes, or `"1mb"`-style) from a route module at load time (A6).
 * Throws `APR_INVALID_SEGMENT_CONFIG` naming the file for anything else.
 */
function readBodySizeLimit(mod: Record<string, unknown>, file: string): number | undefined {
  const value = mod.bodySizeLimit;
  if (value === undefined) return undefined;
  const bytes = parseByteSize(value);
  if (bytes === null)
    throw new ApprouteError(
      ErrorCode.INVALID_SEGMENT_CONFIG,
      `Invalid "bodySizeLimit" export in ${file}: expected a number of bytes or a size such as "1mb", received ${JSON.stringify(value)}.`,
      { location: { file }, hint: 'Export a size, for example: export const bodySizeLimit = "1mb";' },
    );
  return bytes;
}

function payloadTooLarge(limit: number): Response {
  return textResponse(413, `Payload Too Large: the request body exceeds ${limit} bytes`, {
    connection: "close",
  });
}

/** Dev only: a stand-in module for a route that does not compile. */
function compileErrorModule(message: string): Record<string, unknown> {
  const answer = () => textResponse(500, `Compile error\n\n${message}\n`);
  return {
    GET: answer,
    HEAD: answer,
    POST: answer,
    PUT: answer,
    PATCH: answer,
    DELETE: answer,
    OPTIONS: answer,
  };
}

export { loadCacheHandlers, loadIncrementalCacheHandler } from "./cache-handlers.js";
export { loadConfigExport } from "./config.js";
export { registerInstrumentation } from "./instrumentation.js";
export { loadOtelApi } from "./otel-api.js";

/**
 * Stands in for a lazily loaded route module: its recorded non-function exports, and for each
 * function a stand-in that loads the module and calls the real one. Once loaded, the route's data
 * holds the real module and method table, so later requests call the handlers directly. Returns
 * the loader (one import, shared by the preload and concurrent first requests).
 */
function lazyModule(
  data: RouteData,
  lazy: LazyRouteModule,
  file: string,
  logger: Logger,
): () => Promise<unknown> {
  let loading: Promise<Record<string, unknown>> | undefined;
  const load = () =>
    (loading ??= requestStorage
      // Outside any request: timers and sockets a module opens at its top level must not carry the
      // first request's context.
      .exit(() => lazy.load())
      .then(
        (module) => {
          data.module = module;
          data.methods = createMethodTable(module);
          return module;
        },
        (error: unknown) => {
          logger.error(`Failed to load the route module ${file}`, error);
          throw error;
        },
      ));
  const stub: Record<string, unknown> = { ...lazy.exports.values };
  for (const name of lazy.exports.functions)
    stub[name] = function lazyExport(this: unknown, ...args: unknown[]) {
      return load().then((module) => (module[name] as (...a: unknown[]) => unknown).apply(this, args));
    };
  data.module = stub;
  return load;
}
