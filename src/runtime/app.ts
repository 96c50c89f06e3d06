/**
 * The application: a Web-standard `fetch(Request) → Response` over a set of loaded route modules,
 * plus `handle()`, the same pipeline for adapters that describe requests lazily. Request order:
 * canonical redirects (R11–R13) → basePath → route match → method (R17–R23) → params (R14–R16) →
 * handler.
 * @module
 */
import { type CacheConfig, type CacheRuntime, createCacheRuntime } from "../cache/runtime.js";
import type { CacheHandler } from "../cache/types.js";
import { createMethodTable, type MethodTable, resolveMethod } from "../core/dispatch.js";
import type { Segment } from "../core/route-id.js";
import { createRouter, decodeParams, type Router } from "../core/router.js";
import { canonicalRedirect, routablePath, splitTarget } from "../core/url.js";
import { isFastResponse, realResponse } from "../web/fast-response.js";
import { createIncomingRequest, type IncomingSource, sourceFromRequest } from "../web/next-request.js";
import { type NextConfigInput, type ResolvedConfig, resolveConfig } from "./config.js";
import { invokeHandler } from "./invoke.js";
import { consoleLogger, type Logger } from "./logger.js";
import { emptyResponse, permanentRedirectResponse, textResponse } from "./responses.js";

/** A loaded route module as the build (or dev server) hands it over. */
export interface RouteModuleRecord {
  /** Route file relative to the project root, for logs and errors. */
  file: string;
  segments: readonly Segment[];
  module: Record<string, unknown>;
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
  config?: NextConfigInput;
  buildId?: string;
  logger?: Logger;
  dev?: boolean;
  /** Handler instances for `cacheHandlers` kinds, loaded by the entry (see `loadCacheHandlers`). */
  cacheHandlers?: Record<string, CacheHandler>;
  /** Clock in ms for cache lifetimes; tests inject one. Default `Date.now`. */
  now?: () => number;
  /** Redis URL for the shared cache; default `APPROUTE_REDIS_URL` or `approute.redis` in config. */
  redisUrl?: string;
}

/** Per-route data the router carries. */
export interface RouteData {
  module: Record<string, unknown>;
  methods: MethodTable;
}

export interface App {
  /** Web-standard entry: serves `request` in-process. */
  fetch(request: Request): Promise<Response>;
  /** Adapter entry: `target` is the raw request target (`/path?query`). May return synchronously. */
  handle(source: IncomingSource, target: string): Response | Promise<Response>;
  readonly router: Router<RouteData>;
  readonly config: ResolvedConfig;
  /** The cache runtime: handlers by kind, profiles, tag invalidation (shared by "use cache" and ISR). */
  readonly cache: CacheRuntime;
  /** Releases what the app holds open (the Redis connection). */
  close(): Promise<void>;
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
  const router = createRouter<RouteData>(
    records.map((r) => ({
      segments: r.segments,
      file: r.file,
      data: { module: r.module, methods: createMethodTable(r.module) },
    })),
  );
  if (options.dev) {
    for (const route of router.routes) {
      for (const name of route.data.methods.ignored) {
        logger.warn(
          `${route.file} exports "${name}"; route handler methods must be upper case (${name.toUpperCase()}). It is ignored.`,
        );
      }
    }
  }
  const { basePath, trailingSlash, authInterrupts } = config;
  const nextConfig = { basePath, trailingSlash };
  const cache = createCacheRuntime({
    config: config.raw as CacheConfig,
    handlers: options.cacheHandlers,
    buildId: options.buildId,
    logger,
    now: options.now,
    redisUrl: options.redisUrl,
  });
  const invokeOptions = { logger, authInterrupts, cacheRuntime: cache };

  // hot path: keep allocation to the request object, the params object and the context.
  function handle(source: IncomingSource, rawTarget: string): Response | Promise<Response> {
    const target = splitTarget(rawTarget);
    if (target === null) return textResponse(400, "Bad Request: invalid request target");
    const redirect = canonicalRedirect(target.pathname, trailingSlash);
    if (redirect !== null) return permanentRedirectResponse(redirect + target.search);

    let pathname = target.pathname;
    if (basePath !== "") {
      if (pathname === basePath) pathname = "/";
      else if (pathname.startsWith(basePath) && pathname.charCodeAt(basePath.length) === 47)
        pathname = pathname.slice(basePath.length);
      else return emptyResponse(404);
    }
    if (trailingSlash) pathname = routablePath(pathname);

    const match = router.match(pathname);
    if (match === null) return emptyResponse(404);
    const route = match.route;
    const resolution = resolveMethod(route.data.methods, source.method);
    if (resolution.kind !== "handler") {
      if (resolution.kind === "options") return emptyResponse(204, { allow: route.data.methods.allow });
      if (resolution.kind === "not-allowed") return emptyResponse(405, { allow: route.data.methods.allow });
      return emptyResponse(400);
    }
    const params = route.params.length === 0 ? {} : decodeParams(route.params, match.values);
    if (params === null) return textResponse(400, "Bad Request: malformed percent-encoding in path");

    const request = createIncomingRequest(source, nextConfig);
    return invokeHandler(route, resolution.handler, request, params, source, invokeOptions);
  }

  async function fetch(request: Request): Promise<Response> {
    const url = request.url;
    const pathStart = url.indexOf("/", url.indexOf("//") + 2);
    const target = pathStart === -1 ? "/" : url.slice(pathStart);
    const response = await handle(sourceFromRequest(request), target);
    // Hosts such as Deno and Bun brand-check the Response they are given: hand them a real one.
    const real = isFastResponse(response) ? realResponse(response) : response;
    if (request.method === "HEAD" && real.body !== null) {
      void real.body.cancel().catch(() => {});
      return new Response(null, { status: real.status, statusText: real.statusText, headers: real.headers });
    }
    return real;
  }

  return { fetch, handle, router, config, cache, close: () => cache.close() };
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

export { loadConfigExport } from "./config.js";
