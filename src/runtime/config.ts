/**
 * `next.config` options that matter to route handlers (spec §12), validated once at start-up.
 * Unknown keys are ignored with one warning; invalid values fail with a message naming the key.
 * @module
 */
import { ApprouteError, ErrorCode } from "../core/errors.js";

/** The subset of NextConfig approute reads. */
export interface NextConfigInput {
  basePath?: string;
  trailingSlash?: boolean;
  skipTrailingSlashRedirect?: boolean;
  experimental?: { authInterrupts?: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

/** Validated configuration used on the request path. */
export interface ResolvedConfig {
  basePath: string;
  trailingSlash: boolean;
  /** No 308 to the configured slash form; routes match either spelling, the handler sees it as sent. */
  skipTrailingSlashRedirect: boolean;
  authInterrupts: boolean;
  /** gzip responses for clients that accept it (default true, as `next start`). */
  compress: boolean;
  /** `env` entries, applied to `process.env` at start. */
  env: Record<string, string>;
  /** `approute.maxDuration`: seconds every route handler gets unless it exports its own (R87). */
  maxDuration: number | undefined;
  /** The raw object, for features that read more keys. */
  raw: NextConfigInput;
}

/** Keys approute knows; anything else gets a single "ignored" warning. */
export const KNOWN_CONFIG_KEYS = new Set([
  "basePath",
  "trailingSlash",
  "skipTrailingSlashRedirect",
  "headers",
  "redirects",
  "rewrites",
  "env",
  "compress",
  "cacheLife",
  "cacheHandler",
  "cacheHandlers",
  "cacheMaxMemorySize",
  "cacheComponents",
  "expireTime",
  "serverExternalPackages",
  "experimental",
  "skipProxyUrlNormalize",
  "skipMiddlewareUrlNormalize",
  "i18n",
  "output",
  "generateEtags",
  "poweredByHeader",
  "pageExtensions",
  "reactStrictMode",
  "images",
  "typescript",
  "eslint",
  "distDir",
  "approute",
  // Options for pages, the browser bundle, Next's own build output or its dev tooling: nothing a
  // route handler can observe, so a migrated config passes without a warning.
  "transpilePackages",
  "logging",
  "devIndicators",
  "allowedDevOrigins",
  "productionBrowserSourceMaps",
  "assetPrefix",
  "crossOrigin",
  "sassOptions",
  "compiler",
  "typedRoutes",
  "outputFileTracingRoot",
  "outputFileTracingIncludes",
  "outputFileTracingExcludes",
  "staticPageGenerationTimeout",
  "htmlLimitedBots",
  "deploymentId",
  "generateBuildId",
  "onDemandEntries",
  "bundlePagesRouterDependencies",
  "modularizeImports",
]);

/** Bundler configuration approute cannot apply: named in a warning of its own. */
const BUNDLER_KEYS = ["webpack", "turbopack"];

function invalid(key: string, expected: string, received: unknown): ApprouteError {
  return new ApprouteError(
    ErrorCode.INVALID_CONFIG,
    `Invalid next.config option "${key}": expected ${expected}, received ${JSON.stringify(received)}.`,
    {
      hint: `Fix or remove "${key}" in next.config.`,
    },
  );
}

/** Validates the config object; `warn` receives one message listing ignored keys. */
export function resolveConfig(input: NextConfigInput = {}, warn?: (message: string) => void): ResolvedConfig {
  if (typeof input !== "object" || input === null) throw invalid("(root)", "an object", input);
  const bundler = Object.keys(input).filter((k) => BUNDLER_KEYS.includes(k));
  if (bundler.length > 0 && warn)
    warn(
      `next.config: ${bundler.map((k) => `"${k}"`).join(" and ")} configuration is not applied: approute compiles with esbuild (tsconfig "paths" are honoured). Move aliases your route code needs into tsconfig "paths".`,
    );
  const unknown = Object.keys(input).filter((k) => !KNOWN_CONFIG_KEYS.has(k) && !BUNDLER_KEYS.includes(k));
  if (unknown.length > 0 && warn)
    warn(
      `next.config: ignoring unknown option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${k}"`).join(", ")}.`,
    );

  let basePath = input.basePath ?? "";
  if (typeof basePath !== "string") throw invalid("basePath", "a string", basePath);
  if (basePath !== "") {
    if (!basePath.startsWith("/")) throw invalid("basePath", 'a path starting with "/"', basePath);
    if (basePath.endsWith("/")) throw invalid("basePath", 'a path without a trailing "/"', basePath);
    if (basePath === "/") basePath = "";
  }
  const trailingSlash = input.trailingSlash ?? false;
  if (typeof trailingSlash !== "boolean") throw invalid("trailingSlash", "a boolean", trailingSlash);
  const skipTrailingSlashRedirect = input.skipTrailingSlashRedirect ?? false;
  if (typeof skipTrailingSlashRedirect !== "boolean")
    throw invalid("skipTrailingSlashRedirect", "a boolean", skipTrailingSlashRedirect);
  const experimental = input.experimental ?? {};
  if (typeof experimental !== "object" || experimental === null)
    throw invalid("experimental", "an object", experimental);
  checkExperimental(experimental, warn);
  // Next 16 warns the same way (and then cannot build an App Router-only project).
  if (input.i18n !== undefined && warn)
    warn("next.config: `i18n` is not supported in the App Router, so route handlers ignore it.");
  const compress = input.compress ?? true;
  if (typeof compress !== "boolean") throw invalid("compress", "a boolean", compress);
  const env = input.env ?? {};
  if (typeof env !== "object" || env === null || Array.isArray(env))
    throw invalid("env", "an object of strings", env);
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== "string") throw invalid(`env.${key}`, "a string", value);
  }
  const own = input.approute ?? {};
  if (typeof own !== "object" || own === null || Array.isArray(own))
    throw invalid("approute", "an object", own);
  const maxDuration = (own as { maxDuration?: unknown }).maxDuration;
  if (
    maxDuration !== undefined &&
    (typeof maxDuration !== "number" || !Number.isFinite(maxDuration) || maxDuration <= 0)
  )
    throw invalid("approute.maxDuration", "a positive number of seconds", maxDuration);
  return {
    basePath,
    trailingSlash,
    skipTrailingSlashRedirect,
    authInterrupts: experimental.authInterrupts === true,
    compress,
    env: env as Record<string, string>,
    maxDuration: maxDuration as number | undefined,
    raw: input,
  };
}

/** Next 15 flags Next 16 folded into `cacheComponents`: set, they fail the build as in Next (R153). */
const REPLACED_BY_CACHE_COMPONENTS: Record<string, string> = {
  dynamicIO: "has been replaced by `cacheComponents`",
  ppr: "has been merged into `cacheComponents`",
};
/** Options Next 16 moved out of `experimental`; still read there, with a warning (R151, R152). */
const MOVED_OUT_OF_EXPERIMENTAL = ["cacheLife", "cacheHandlers"] as const;

function checkExperimental(experimental: Record<string, unknown>, warn?: (message: string) => void): void {
  for (const [key, what] of Object.entries(REPLACED_BY_CACHE_COMPONENTS)) {
    if (experimental[key] === undefined) continue;
    throw new ApprouteError(
      ErrorCode.INVALID_CONFIG,
      `next.config: \`experimental.${key}\` ${what} in Next 16.`,
      {
        hint: `Remove experimental.${key} and set the top-level cacheComponents: true ("use cache" works in approute either way).`,
      },
    );
  }
  if (!warn) return;
  if (experimental.useCache !== undefined)
    warn(
      'next.config: `experimental.useCache` is deprecated; use the top-level `cacheComponents` option ("use cache" works in approute without either).',
    );
  for (const key of MOVED_OUT_OF_EXPERIMENTAL) {
    if (experimental[key] !== undefined)
      warn(`next.config: \`experimental.${key}\` has moved to the top-level \`${key}\`; move it there.`);
  }
}

/**
 * Next 16 still honours `experimental.cacheLife` and `experimental.cacheHandlers` (with a warning):
 * copies them to the top level when that is not set (R151, R152).
 */
export function liftExperimental<T extends NextConfigInput>(config: T): T {
  const experimental = config.experimental;
  if (typeof experimental !== "object" || experimental === null) return config;
  let out = config;
  for (const key of MOVED_OUT_OF_EXPERIMENTAL) {
    if (experimental[key] === undefined || config[key] !== undefined) continue;
    if (out === config) out = { ...config };
    (out as NextConfigInput)[key] = experimental[key];
  }
  return out;
}

/**
 * Resolves what a `next.config` module exports: an object, or a (possibly async) function of
 * `(phase, { defaultConfig })` as in Next.
 */
export async function loadConfigExport(
  exported: unknown,
  phase = "phase-production-server",
): Promise<NextConfigInput> {
  let value = exported;
  if (
    value &&
    typeof value === "object" &&
    "default" in (value as object) &&
    Object.keys(value as object).length === 1
  ) {
    value = (value as { default: unknown }).default;
  }
  if (typeof value === "function") value = await value(phase, { defaultConfig: {} });
  if (value === undefined || value === null) return {};
  if (typeof value !== "object") throw invalid("(root)", "an object or a function returning one", value);
  return resolveRouteFunctions(liftExperimental(value as NextConfigInput));
}

/**
 * Awaits the async `headers()`, `redirects()` and `rewrites()` functions once, at start, so the app
 * gets plain arrays (R148–R150). A function that throws fails start-up naming the key.
 */
export async function resolveRouteFunctions(config: NextConfigInput): Promise<NextConfigInput> {
  let out = config;
  for (const key of ["headers", "redirects", "rewrites"] as const) {
    const fn = config[key];
    if (fn === undefined) continue;
    if (typeof fn !== "function") throw invalid(key, "an async function", fn);
    let value: unknown;
    try {
      value = await (fn as () => unknown)();
    } catch (error) {
      throw new ApprouteError(
        ErrorCode.INVALID_CONFIG,
        `next.config ${key}() threw: ${(error as Error)?.message ?? error}`,
        {
          hint: `Fix ${key}() in next.config.`,
          cause: error,
        },
      );
    }
    if (out === config) out = { ...config };
    out[key] = value;
  }
  return out;
}
