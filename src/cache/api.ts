/**
 * The public functions of `next/cache` (R102–R115, R117): `cacheLife`, `cacheTag`, `revalidateTag`,
 * `revalidatePath`, `updateTag`, `refresh`, `unstable_noStore`, `io`, `unstable_cache`, `navigation`,
 * `prefetch`, and the deprecated `unstable_cacheLife`/`unstable_cacheTag` aliases.
 * @module
 */

import { currentCacheScope } from "../context/cache-scope.js";
import { currentRequestStore, requireRequestStore } from "../context/request-store.js";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import { NO_STORE_KEY } from "./fetch-cache.js";
import { sha256 } from "./hash.js";
import { type CacheLifeInput, NEVER, validateLife } from "./profiles.js";
import { activeRuntime } from "./runtime.js";
import { acceptTags, headerSafeTag, pathTags } from "./tags.js";
import { runCached, serializeKey } from "./use-cache.js";

/**
 * Sets the lifetime of the enclosing `"use cache"` entry (R101, R102): a profile name (built-in
 * `default`, `seconds`, `minutes`, `hours`, `days`, `weeks`, `max`, or one from `next.config`
 * `cacheLife`) or `{ stale, revalidate, expire }` in seconds. Several calls keep the shortest.
 * @example
 * async function getProducts() {
 *   "use cache";
 *   cacheLife("hours");
 *   return db.all();
 * }
 */
export function cacheLife(profile: string | CacheLifeInput): void {
  const scope = currentCacheScope();
  if (scope === undefined || scope.flavor === "unstable_cache") {
    throw new Error(
      'cacheLife() can only be called inside a "use cache" function. Add "use cache" to the function, or pass { revalidate } to unstable_cache instead.',
    );
  }
  const runtime = activeRuntime(scope.runtime);
  let life: ReturnType<typeof validateLife>;
  if (typeof profile === "string") {
    const found = runtime.profiles[profile];
    if (found === undefined) {
      throw new ApprouteError(
        ErrorCode.INVALID_CONFIG,
        `Unknown cacheLife profile "${profile}" in ${scope.name}. Known profiles: ${Object.keys(runtime.profiles).join(", ")}.`,
        { hint: `Use one of those, or define "${profile}" under cacheLife in next.config.` },
      );
    }
    life = found;
  } else {
    life = validateLife(profile, runtime.profiles.default!, `cacheLife() in ${scope.name}`);
  }
  const current = scope.explicitLife;
  scope.explicitLife =
    current === undefined
      ? { ...life }
      : {
          stale: Math.min(current.stale, life.stale),
          revalidate: Math.min(current.revalidate, life.revalidate),
          expire: Math.min(current.expire, life.expire),
        };
}

/**
 * Tags the enclosing cached entry so `revalidateTag(tag)` can invalidate it (R106). Tags that are not
 * strings or longer than 256 characters, and tags past the 128th of one call, are ignored with a
 * warning (R113).
 */
export function cacheTag(...tags: string[]): void {
  const scope = currentCacheScope();
  if (scope === undefined || scope.flavor === "unstable_cache") {
    throw new Error('cacheTag() can only be called inside a "use cache" or "use cache: private" function.');
  }
  const runtime = activeRuntime(scope.runtime);
  for (const tag of acceptTags(tags, (m) => runtime.warnOnce(m))) {
    if (!scope.tags.includes(tag)) scope.tags.push(tag);
  }
}

function refuseInCache(call: string): void {
  const scope = currentCacheScope();
  if (scope === undefined) return;
  throw new ApprouteError(
    ErrorCode.CACHE_SCOPE,
    `Route "${scope.route}": \`${call}\` can't be called inside a cached function (${scope.name}). Call it from a Server Action or Route Handler instead.`,
    { hint: `Move the call out of ${scope.name} into the route handler.` },
  );
}

/** Queues an invalidation to run once the handler returns (R112), or runs it now outside a request. */
function schedule(tags: string[], durations: { expire?: number } | undefined, call: string): void {
  const store = currentRequestStore();
  const runtime = activeRuntime(undefined);
  if (store === undefined) {
    void runtime.revalidateTags(tags, durations);
    return;
  }
  store.onDynamicAccess?.(call);
  (store.pendingRevalidations ??= []).push(() => runtime.revalidateTags(tags, durations));
}

/**
 * Marks entries tagged `tag` stale (R107): the next read serves the old value once and regenerates
 * it. `profile` names a cacheLife profile (`"max"` is recommended) or gives `{ expire }` in seconds:
 * how long stale entries may still be served. Without it the entries expire at once (deprecated form).
 * As in Next, any other profile (a number, `true`) also expires them at once, and a falsy one (`""`,
 * `0`, `null`) counts as none. The tag is compared in header-safe form (R113): `café` and
 * `caf%C3%A9` are one tag. A missing or empty tag invalidates nothing (with a warning), as in Next.
 */
export function revalidateTag(tag: string, profile?: string | { expire?: number }): undefined {
  const call = `revalidateTag(${JSON.stringify(tag)})`;
  refuseInCache(call);
  const runtime = activeRuntime(undefined);
  // No durations: handlers read that as "expire now" (Next passes none either).
  let durations: { expire?: number } | undefined;
  if (!profile) {
    runtime.warnOnce(
      '"revalidateTag" without the second argument is now deprecated, add second argument of "max" or use "updateTag". See more info here: https://nextjs.org/docs/messages/revalidate-tag-single-arg',
    );
    durations = undefined;
  } else if (typeof profile === "string") {
    const found = runtime.profiles[profile];
    if (found === undefined) {
      throw new ApprouteError(
        ErrorCode.INVALID_CONFIG,
        `${call}: unknown cacheLife profile "${profile}". Known profiles: ${Object.keys(runtime.profiles).join(", ")}.`,
        { hint: 'Pass "max" or define the profile under cacheLife in next.config.' },
      );
    }
    durations = { expire: found.expire };
  } else if (typeof profile === "object") {
    // Validated as cacheLife() validates (R102); only `expire` is used. Without one the entries
    // turn stale and never expire by this call (as in Next).
    const given = profile as Record<string, unknown>;
    const picked: Record<string, unknown> = {};
    for (const key of ["stale", "revalidate", "expire"])
      if (given[key] !== undefined) picked[key] = given[key];
    const life = validateLife(picked, { stale: 0, revalidate: 0, expire: 0 }, call);
    durations = picked.expire === undefined ? {} : { expire: life.expire };
  } else {
    // A number or boolean is no profile Next knows; it expires the entries at once, which is the
    // safe reading of e.g. revalidateTag(tag, 60) too. Say so, since it was probably meant otherwise.
    runtime.warnOnce(
      `${call}: the second argument ${String(profile)} is neither a cacheLife profile name nor { expire }; the tag expires at once. Pass "max" to serve stale while regenerating, or { expire: seconds }.`,
    );
    durations = undefined;
  }
  // A missing or empty tag names no entry. Next accepts it and invalidates nothing; so does approute
  // (a handler migrated from Next keeps its 200), but it says so, since a tag was surely meant.
  if (tag === undefined || tag === null || tag === "") {
    runtime.warnOnce(
      `${call}: no tag given, nothing was invalidated. Pass the tag the entries were cached with.`,
    );
    return undefined;
  }
  if (typeof tag !== "string") throw new TypeError(`${call}: the tag must be a string.`);
  schedule([headerSafeTag(tag)], durations, call);
  return undefined;
}

/**
 * Invalidates what was cached for `path` (R110): its implicit `_N_T_` tag (plus `/index` for `/`).
 * With `type` (`"page"` or `"layout"`) a route pattern such as `/blog/[slug]` may be given; `"layout"`
 * reaches every route handler below the path, `"page"` none (as in Next: route handlers are no pages).
 * A path that is not a string throws a TypeError, as in Next; `""` names nothing.
 */
export function revalidatePath(path: string, type?: "page" | "layout"): undefined {
  const call = `revalidatePath(${JSON.stringify(path)})`;
  refuseInCache(call);
  const result = pathTags(path, type);
  if ("ignored" in result) {
    activeRuntime(undefined).warnOnce(result.ignored);
    return undefined;
  }
  schedule(result.tags, undefined, call);
  return undefined;
}

/**
 * Server Actions only (R108): always throws in approute, which has route handlers only — also inside
 * a cached function, where Next gives this message too.
 */
export function updateTag(_tag: string): never {
  throw new Error(
    "updateTag can only be called from within a Server Action. To invalidate cache tags in Route Handlers or other contexts, use revalidateTag instead. See more info here: https://nextjs.org/docs/app/api-reference/functions/updateTag",
  );
}

/** Server Actions only (R109): always throws in a route handler. */
export function refresh(): never {
  throw new Error(
    "refresh can only be called from within a Server Action. See more info here: https://nextjs.org/docs/app/api-reference/functions/refresh",
  );
}

/**
 * Opts the surrounding route out of prerendering (R115), and later `fetch` calls without a cache
 * option out of the data cache (even under `fetchCache = "default-cache"`); has no effect inside a
 * cached function.
 */
export function unstable_noStore(): void {
  if (currentCacheScope() !== undefined) return;
  const store = currentRequestStore();
  if (store === undefined) return;
  store[NO_STORE_KEY] = true;
  store.onDynamicAccess?.("unstable_noStore()");
}

/** Marks the following code as doing I/O: dynamic during a prerender attempt, immediate otherwise. */
export async function io(): Promise<void> {
  if (currentCacheScope() !== undefined) return;
  currentRequestStore()?.onDynamicAccess?.("io()");
}

/**
 * `navigation()` and `prefetch()` (R117) mark page content to defer past a prefetch. A route handler
 * has no prefetch: with `cacheComponents` they resolve at once, without it they throw as in Next.
 */
async function deferralMarker(name: string): Promise<void> {
  const store = requireRequestStore(`${name}()`);
  if (!activeRuntime(undefined).cacheComponents)
    throw new Error(
      `Route ${store.route} used \`${name}()\`, which requires Cache Components to be enabled. Set cacheComponents: true in next.config, or remove the call.`,
    );
}

/** Defers the following work to a real navigation; resolves at once in a route handler (R117). */
export function navigation(): Promise<void> {
  return deferralMarker("navigation");
}

/** Defers the following work past the app shell; resolves at once in a route handler (R117). */
export function prefetch(): Promise<void> {
  return deferralMarker("prefetch");
}

/** @deprecated Import `cacheLife` (stable since Next 16); this alias logs a warning once (R117). */
export function unstable_cacheLife(profile: string | CacheLifeInput): void {
  warnRenamed("unstable_cacheLife", "cacheLife");
  cacheLife(profile);
}

/** @deprecated Import `cacheTag` (stable since Next 16); this alias logs a warning once (R117). */
export function unstable_cacheTag(...tags: string[]): void {
  warnRenamed("unstable_cacheTag", "cacheTag");
  cacheTag(...tags);
}

function warnRenamed(old: string, name: string): void {
  activeRuntime(currentCacheScope()?.runtime).warnOnce(
    `\`${old}\` is deprecated: it is now stable as \`${name}\`. Import { ${name} } from "next/cache" instead.`,
  );
}

/** Options of `unstable_cache` (R114). */
export interface UnstableCacheOptions {
  /** Seconds until stale; `false` (default) = until invalidated. */
  revalidate?: number | false;
  tags?: string[];
}

/**
 * Wraps `fn` in a cache keyed by `keyParts`, the arguments and the function source (R114).
 * Deprecated in Next 16 in favour of `"use cache"`, kept for migration.
 */
export function unstable_cache<T extends (...args: any[]) => Promise<any>>(
  fn: T,
  keyParts?: string[],
  options: UnstableCacheOptions = {},
): T {
  if (typeof fn !== "function")
    throw new TypeError("unstable_cache() expects a function as its first argument.");
  const revalidate = options.revalidate;
  if (revalidate !== undefined && revalidate !== false && (typeof revalidate !== "number" || revalidate < 0))
    throw new Error(
      `Invalid revalidate value "${String(revalidate)}" on "unstable_cache ${fn.name || "callback"}", must be a non-negative number or false`,
    );
  const name = fn.name || "unstable_cache callback";
  const tags = acceptTags(
    options.tags ?? [],
    (m) => console.warn(`[approute] warning: ${m}`),
    `unstable_cache(${name})`,
  );
  const id = `unstable_cache:${sha256(JSON.stringify([keyParts ?? [], fn.toString()]), "base64url")}`;
  const meta = { id, kind: "default", name, file: "", line: 0 };
  const life =
    revalidate === undefined || revalidate === false
      ? { stale: 300, revalidate: NEVER, expire: NEVER }
      : { stale: 300, revalidate, expire: NEVER };
  const wrapped = function (this: unknown, ...args: unknown[]) {
    let keyText: string;
    try {
      keyText = serializeKey(meta, [], args);
    } catch (error) {
      return Promise.reject(error);
    }
    return runCached({
      meta,
      flavor: "unstable_cache",
      keyText,
      run: () => fn.apply(this, args),
      fixedLife: life,
      fixedTags: tags,
    });
  };
  return wrapped as T;
}
