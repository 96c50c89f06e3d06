/**
 * Build-time prerendering (R73, R74, R79, R80, R82, R83, R90): every cached GET is run once with a
 * request that has no headers or cookies, for each path `generateStaticParams` lists. A route that
 * reads request data becomes dynamic (or fails the build under `dynamic = "error"`); the rest is
 * inlined into the build output and served with no handler call.
 * @module
 */
import { ApprouteError, ErrorCode, isApprouteError } from "../core/errors.js";
import { type SerializedCachedResponse, serializeEntry } from "./cached-response.js";
import { type CachedRoute, canonicalPath, type RouteCache } from "./route-cache.js";

/** What a build learns about one route. */
export interface PrerenderedRoute {
  file: string;
  /** "static": served from the cache; "dynamic": runs per request. */
  mode: "static" | "dynamic";
  /** Why a candidate became dynamic. */
  reason?: string;
  paths: string[];
}

export interface PrerenderResult {
  routes: PrerenderedRoute[];
  entries: Array<SerializedCachedResponse & { file: string }>;
}

function failed(route: CachedRoute, pathname: string, error: unknown): ApprouteError {
  if (isApprouteError(error)) return error as ApprouteError;
  const detail = error instanceof Error ? error.message : String(error);
  return new ApprouteError(
    ErrorCode.PRERENDER_FAILED,
    `Prerendering ${pathname} (${route.file}) failed: ${detail}`,
    {
      location: { file: route.file },
      hint: 'Fix the GET handler so it runs without a live request, or mark the route `export const dynamic = "force-dynamic"`.',
      cause: error,
    },
  );
}

/** The param sets `generateStaticParams` returns, checked against the route's segments (R82). */
async function staticParams(
  route: CachedRoute,
  generate: () => unknown,
): Promise<Array<Record<string, string | string[]>>> {
  let list: unknown;
  try {
    list = await generate();
  } catch (error) {
    throw failed(route, route.key, error);
  }
  const bad = (why: string) =>
    new ApprouteError(ErrorCode.PRERENDER_FAILED, `generateStaticParams in ${route.file} returned ${why}.`, {
      location: { file: route.file },
      hint: `Return an array of objects such as [{ ${route.segments
        .filter((s) => s.kind !== "static")
        .map((s) => `${(s as { name: string }).name}: ${s.kind === "dynamic" ? '"a"' : '["a", "b"]'}`)
        .join(", ")} }].`,
    });
  if (!Array.isArray(list)) throw bad("something that is not an array");
  const out: Array<Record<string, string | string[]>> = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null)
      throw bad(`an entry that is not an object (${JSON.stringify(item)})`);
    const params: Record<string, string | string[]> = {};
    for (const segment of route.segments) {
      if (segment.kind === "static") continue;
      const value = (item as Record<string, unknown>)[segment.name];
      if (segment.kind === "dynamic") {
        if (typeof value !== "string" || value === "")
          throw bad(`an entry without a string "${segment.name}" (${JSON.stringify(item)})`);
        params[segment.name] = value;
      } else if (value === undefined && segment.kind === "optionalCatchAll") {
        // the route's own path
      } else {
        const parts = typeof value === "string" ? value.split("/") : value;
        if (
          !Array.isArray(parts) ||
          parts.length === 0 ||
          !parts.every((p) => typeof p === "string" && p !== "")
        )
          throw bad(
            `an entry whose "${segment.name}" is not a non-empty array of strings (${JSON.stringify(item)})`,
          );
        params[segment.name] = parts as string[];
      }
    }
    out.push(params);
  }
  return out;
}

/**
 * Prerenders `routes` through `cache` (which also keeps the results). Throws the build error of the
 * first route that fails.
 */
export async function prerenderRoutes(
  routes: readonly { route: CachedRoute; generateStaticParams?: () => unknown }[],
  cache: RouteCache,
): Promise<PrerenderResult> {
  const result: PrerenderResult = { routes: [], entries: [] };
  for (const { route, generateStaticParams } of routes) {
    const hasParams = route.segments.some((s) => s.kind !== "static");
    let sets: Array<Record<string, string | string[]>>;
    if (!hasParams) sets = [{}];
    else if (generateStaticParams !== undefined) sets = await staticParams(route, generateStaticParams);
    else sets = [];
    const report: PrerenderedRoute = { file: route.file, mode: "static", paths: [] };
    const rendered: Array<SerializedCachedResponse & { file: string }> = [];
    for (const params of sets) {
      const pathname = canonicalPath(route.segments, params);
      const outcome = await cache.render(route, pathname, params, { prerender: true });
      if (outcome.kind === "error") throw failed(route, pathname, outcome.error);
      if (outcome.kind === "dynamic") {
        report.mode = "dynamic";
        report.reason = outcome.reason ?? `it reads ${outcome.expression}`;
        break;
      }
      if (outcome.kind === "uncacheable") {
        report.mode = "dynamic";
        report.reason = `its response for ${pathname} cannot be cached: ${outcome.reason}`;
        break;
      }
      report.paths.push(pathname);
      rendered.push({ ...serializeEntry(pathname, outcome.served.entry), file: route.file });
      cache.seed(route, pathname, outcome.served.entry);
    }
    if (report.mode === "dynamic") {
      route.dynamic = true;
      report.paths = [];
    } else {
      result.entries.push(...rendered);
    }
    result.routes.push(report);
  }
  return result;
}
