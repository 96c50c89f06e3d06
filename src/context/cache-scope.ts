/**
 * The per-call cache scope: a small AsyncLocalStorage entered around the body of a `"use cache"`
 * function or an `unstable_cache` callback. It collects `cacheLife`/`cacheTag` calls and lets
 * `next/headers` refuse request data inside a shared cache (R104, R105). Request state itself stays
 * in the one request store (`request-store.ts`).
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ApprouteError, ErrorCode } from "../core/errors.js";

/** A lifetime in seconds (R101). */
export interface CacheLife {
  stale: number;
  revalidate: number;
  expire: number;
}

export interface CacheScope {
  /** `"use cache"` (any kind but private), `"use cache: private"`, or `unstable_cache()`. */
  flavor: "use cache" | "private" | "unstable_cache";
  /** Handler kind (`default`, `remote`, custom, `private`). */
  kind: string;
  /** Function name, for messages. */
  name: string;
  /** Route key of the request that started the call, for messages (`Route "/x": …`). */
  route: string;
  /** Lifetime set by `cacheLife()` in this scope. */
  explicitLife?: CacheLife;
  /** The smallest lifetime of nested cached calls (R102). */
  innerLife?: CacheLife;
  /** Tags from `cacheTag()` and nested entries (R106). */
  tags: string[];
  /** The cache runtime that runs this scope (opaque here; see src/cache/runtime.ts). */
  runtime: unknown;
}

export const cacheScopeStorage = new AsyncLocalStorage<CacheScope>();

/** The scope of the innermost cached call in progress, if any. */
export function currentCacheScope(): CacheScope | undefined {
  return cacheScopeStorage.getStore();
}

function describeScope(scope: CacheScope): string {
  return scope.flavor === "unstable_cache" ? "`unstable_cache()`" : '`"use cache"`';
}

/**
 * Throws the R104 error when request data (`cookies()`, `headers()`) is read, or `connection()` is
 * called (`verb`), inside a cache scope. `"use cache: private"` may read cookies and headers (R105).
 */
export function assertRequestDataAllowed(api: string, allowInPrivate = true, verb = "read"): void {
  const scope = cacheScopeStorage.getStore();
  if (scope === undefined) return;
  if (scope.flavor === "private" && allowInPrivate) return;
  throw new ApprouteError(
    ErrorCode.CACHE_SCOPE,
    `Route "${scope.route}": \`${api}\` can't be ${verb} inside ${describeScope(scope)} (in ${scope.name}). ${verb === "read" ? "Read it outside the cached function and pass what you need as an argument." : "Call it outside the cached function."}`,
    {
      hint:
        verb === "read"
          ? `Move the \`${api}\` call into the route handler and pass the value to ${scope.name} as an argument.`
          : `Move the \`${api}\` call into the route handler, before it calls ${scope.name}.`,
    },
  );
}
