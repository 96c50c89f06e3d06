/**
 * Route segment config (R88): the named exports of a route module that steer caching —
 * `dynamic`, `revalidate`, `dynamicParams`, `fetchCache`, `generateStaticParams`, `maxDuration` (a
 * handler time limit), and the accepted deployment hints `runtime`, `preferredRegion`. Read and validated once, when the
 * build loads the module; an invalid value is an `APR_INVALID_SEGMENT_CONFIG` naming file and export.
 * @module
 */
import { ApprouteError, ErrorCode } from "./errors.js";

export type DynamicOption = "auto" | "force-dynamic" | "error" | "force-static";
export type FetchCacheOption =
  | "auto"
  | "default-cache"
  | "only-cache"
  | "force-cache"
  | "default-no-store"
  | "only-no-store"
  | "force-no-store";

/** The validated segment config of one route file. */
export interface SegmentConfig {
  dynamic: DynamicOption;
  /** `false` = cache indefinitely; `0` = dynamic; N = seconds (R81). Undefined when not exported. */
  revalidate: number | false | undefined;
  dynamicParams: boolean;
  fetchCache: FetchCacheOption;
  runtime: "nodejs" | "edge";
  preferredRegion: string | string[] | undefined;
  /** Seconds the handler has to complete its response; enforced by the runtime (R87). */
  maxDuration: number | undefined;
  generateStaticParams: (() => unknown) | undefined;
}

const DYNAMIC_VALUES: readonly DynamicOption[] = ["auto", "force-dynamic", "error", "force-static"];
const FETCH_CACHE_VALUES: readonly FetchCacheOption[] = [
  "auto",
  "default-cache",
  "only-cache",
  "force-cache",
  "default-no-store",
  "only-no-store",
  "force-no-store",
];

/** Exports that `cacheComponents: true` forbids (R89). */
export const CACHE_COMPONENTS_FORBIDDEN = ["dynamic", "dynamicParams", "revalidate", "fetchCache"] as const;

function invalid(file: string, name: string, expected: string, received: unknown): ApprouteError {
  const shown =
    typeof received === "function" ? "a function" : (JSON.stringify(received) ?? String(received));
  return new ApprouteError(
    ErrorCode.INVALID_SEGMENT_CONFIG,
    `Invalid route segment config in ${file}: \`export const ${name}\` must be ${expected}, received ${shown}.`,
    { location: { file }, hint: `Change \`${name}\` to one of the accepted values, or remove the export.` },
  );
}

function quoted(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(", ");
}

/**
 * Reads and validates the segment config exports of `module` (compiled from `file`). With
 * `cacheComponents`, the exports Next 16 forbids there are errors too (R89, A3).
 */
export function readSegmentConfig(
  module: Record<string, unknown>,
  file: string,
  options: { cacheComponents?: boolean; outputExport?: boolean } = {},
): SegmentConfig {
  if (options.cacheComponents) {
    for (const name of CACHE_COMPONENTS_FORBIDDEN) {
      if (module[name] !== undefined) {
        throw new ApprouteError(
          ErrorCode.INVALID_SEGMENT_CONFIG,
          `Route segment config "${name}" in ${file} is not compatible with \`nextConfig.cacheComponents\`.`,
          {
            location: { file },
            hint: `Remove \`export const ${name}\`; with cacheComponents, use "use cache" with cacheLife() instead.`,
          },
        );
      }
    }
  }
  const dynamic = module.dynamic ?? "auto";
  if (!DYNAMIC_VALUES.includes(dynamic as DynamicOption))
    throw invalid(file, "dynamic", `one of ${quoted(DYNAMIC_VALUES)}`, dynamic);

  let revalidate = module.revalidate as number | false | undefined;
  if (revalidate !== undefined && revalidate !== false) {
    if (typeof revalidate !== "number" || Number.isNaN(revalidate) || revalidate < 0)
      throw invalid(file, "revalidate", "false, 0 or a positive number of seconds", revalidate);
    if (revalidate === Number.POSITIVE_INFINITY) revalidate = false;
  }

  const dynamicParams = module.dynamicParams ?? true;
  if (typeof dynamicParams !== "boolean")
    throw invalid(file, "dynamicParams", "true or false", dynamicParams);

  const fetchCache = module.fetchCache ?? "auto";
  if (!FETCH_CACHE_VALUES.includes(fetchCache as FetchCacheOption))
    throw invalid(file, "fetchCache", `one of ${quoted(FETCH_CACHE_VALUES)}`, fetchCache);

  const runtime = module.runtime ?? "nodejs";
  if (runtime !== "nodejs" && runtime !== "edge")
    throw invalid(file, "runtime", '"nodejs" or "edge"', runtime);
  if (runtime === "edge" && options.cacheComponents) {
    throw new ApprouteError(
      ErrorCode.INVALID_SEGMENT_CONFIG,
      `Route segment config "runtime" = "edge" in ${file} is not compatible with \`nextConfig.cacheComponents\`.`,
      { location: { file }, hint: 'Remove `export const runtime = "edge"`.' },
    );
  }

  const preferredRegion = module.preferredRegion;
  if (
    preferredRegion !== undefined &&
    typeof preferredRegion !== "string" &&
    !(Array.isArray(preferredRegion) && preferredRegion.every((r) => typeof r === "string"))
  )
    throw invalid(
      file,
      "preferredRegion",
      '"auto", "global", "home", a region name or an array of them',
      preferredRegion,
    );

  const maxDuration = module.maxDuration;
  if (
    maxDuration !== undefined &&
    (typeof maxDuration !== "number" || !Number.isFinite(maxDuration) || maxDuration <= 0)
  )
    throw invalid(file, "maxDuration", "a positive number of seconds", maxDuration);

  const generateStaticParams = module.generateStaticParams;
  if (generateStaticParams !== undefined && typeof generateStaticParams !== "function")
    throw invalid(file, "generateStaticParams", "an (async) function", generateStaticParams);

  if (options.outputExport) checkStaticExport(module, file, dynamic as DynamicOption, revalidate);

  return {
    dynamic: dynamic as DynamicOption,
    revalidate,
    dynamicParams,
    fetchCache: fetchCache as FetchCacheOption,
    runtime,
    preferredRegion: preferredRegion as string | string[] | undefined,
    maxDuration: maxDuration as number | undefined,
    generateStaticParams: generateStaticParams as (() => unknown) | undefined,
  };
}

/**
 * next.config `output: "export"` (R156) asks for a static site, so as in Next a route may not be
 * `force-dynamic`, and a GET must be one Next would generate statically.
 */
function checkStaticExport(
  module: Record<string, unknown>,
  file: string,
  dynamic: DynamicOption,
  revalidate: number | false | undefined,
): void {
  const hint =
    'Remove output: "export" from next.config (approute serves dynamic routes), or make the route static.';
  if (dynamic === "force-dynamic")
    throw new ApprouteError(
      ErrorCode.INVALID_SEGMENT_CONFIG,
      `\`export const dynamic = "force-dynamic"\` in ${file} cannot be used with next.config \`output: "export"\`.`,
      { location: { file }, hint },
    );
  const staticGen =
    dynamic === "force-static" ||
    dynamic === "error" ||
    revalidate === false ||
    (revalidate !== undefined && revalidate > 0) ||
    typeof module.generateStaticParams === "function";
  if (!staticGen && typeof module.GET === "function")
    throw new ApprouteError(
      ErrorCode.INVALID_SEGMENT_CONFIG,
      `The GET of ${file} is not static, which next.config \`output: "export"\` requires: export \`dynamic = "force-static"\` or a \`revalidate\`.`,
      { location: { file }, hint },
    );
}

/** Methods whose presence makes a whole file dynamic, GET included (R73, R91). */
export const NON_GET_METHODS = ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] as const;

/** True when `module` exports a method other than GET/HEAD (R73). */
export function hasNonGetMethod(module: Record<string, unknown>): boolean {
  for (const method of NON_GET_METHODS) if (typeof module[method] === "function") return true;
  return false;
}

/** What the runtime does with a route's GET. */
export type CacheMode =
  /** Runs on every request (R72, R78, R81). */
  | "dynamic"
  /** Served from the route cache: prerendered at build or filled on first request (R74–R76). */
  | "cached";

/** How a route's GET is handled, decided from its segment config (the build may downgrade it). */
export interface RoutePolicy {
  mode: CacheMode;
  /** Whether the handler sees a masked request: force-static (R77). */
  mask: boolean;
  /** During a fill, reading request data: "error" fails (R79), "dynamic" turns the route dynamic (R80). */
  onDynamic: "error" | "dynamic" | "ignore";
  /** Seconds, or false for "until invalidated" (R75, R81). */
  revalidate: number | false;
  dynamicParams: boolean;
  /**
   * `cacheComponents: true`: the build prerender follows Next 16's stricter rules (R90, R116) —
   * no time/randomness outside "use cache", the response within one task, no short-lived caches.
   */
  cacheComponents: boolean;
}

/**
 * Decides a route's GET policy (R72–R83, R90). `cacheComponents` makes every GET-only file a
 * prerender candidate (R90) — except, as in Next 16, a route with dynamic segments and no
 * `generateStaticParams`, which always runs per request. `hasParams`: the route has dynamic segments.
 */
export function routePolicy(
  config: SegmentConfig,
  module: Record<string, unknown>,
  options: { cacheComponents?: boolean; hasParams?: boolean } = {},
): RoutePolicy {
  const mask = config.dynamic === "force-static";
  const onDynamic = mask ? "ignore" : config.dynamic === "error" ? "error" : "dynamic";
  const dynamicPolicy: RoutePolicy = {
    mode: "dynamic",
    mask,
    onDynamic,
    revalidate: 0,
    dynamicParams: config.dynamicParams,
    cacheComponents: options.cacheComponents === true,
  };
  if (typeof module.GET !== "function" || hasNonGetMethod(module)) return dynamicPolicy;
  if (config.dynamic === "force-dynamic" || config.revalidate === 0) return dynamicPolicy;
  const eligible =
    (options.cacheComponents === true &&
      (options.hasParams !== true || config.generateStaticParams !== undefined)) ||
    config.dynamic === "force-static" ||
    config.dynamic === "error" ||
    config.revalidate !== undefined ||
    config.generateStaticParams !== undefined;
  if (!eligible) return dynamicPolicy;
  return {
    mode: "cached",
    mask,
    onDynamic,
    revalidate: config.revalidate ?? false,
    dynamicParams: config.dynamicParams,
    cacheComponents: options.cacheComponents === true,
  };
}
