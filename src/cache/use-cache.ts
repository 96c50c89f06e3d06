/**
 * Running a cached call (R96–R100, R105, R114, R120): build the key (function id + build id +
 * serialised closure values and arguments), share one computation between concurrent callers, read
 * the handler, serve fresh or stale (regenerating once in the background), or compute under a cache
 * scope and store the serialised result. Every caller gets its own deserialised copy.
 * @module
 */
import { DevalueError, parse, stringify } from "devalue";
import { type CacheLife, type CacheScope, cacheScopeStorage } from "../context/cache-scope.js";
import { currentRequestStore, type RequestStore } from "../context/request-store.js";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import { bytesOf, streamOf } from "./entry.js";
import { sha256 } from "./hash.js";
import { minLife } from "./profiles.js";
import { activeRuntime, type CachedResult, type CacheRuntime, requestImplicitTags } from "./runtime.js";
import type { CacheHandler } from "./types.js";

/** What the build transform compiles in for each cached function. */
export interface CachedFunctionMeta {
  /** Stable identity: project-relative file + export name or position. */
  id: string;
  /** Handler kind: `default`, `remote`, `private` or a custom `cacheHandlers` name. */
  kind: string;
  /** Function name for messages. */
  name: string;
  /** Project-relative source file. */
  file: string;
  /** 1-based source line of the function. */
  line: number;
}

/** How a call is run: `"use cache"` functions and `unstable_cache` share this. */
export interface CallSpec {
  meta: CachedFunctionMeta;
  flavor: CacheScope["flavor"];
  /** Serialised closure values + arguments (part of the key). */
  keyText: string;
  run: () => Promise<unknown>;
  /** Lifetime and tags fixed by the caller (unstable_cache options). */
  fixedLife?: CacheLife;
  fixedTags?: string[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const kPrivateEntries = Symbol.for("approute.cache.private");

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "object") {
    const name = (value as object).constructor?.name;
    return name ? `a ${name} instance` : "an object with a null prototype";
  }
  return typeof value;
}

/** The APR_UNSERIALIZABLE error for an argument, closure value or return value (R99, R100). */
export function unserializableError(meta: CachedFunctionMeta, what: string, error: unknown): ApprouteError {
  const path = error instanceof DevalueError ? error.path : "";
  const value =
    error instanceof DevalueError ? (error as DevalueError & { value?: unknown }).value : undefined;
  const where = meta.file ? ` (${meta.file}:${meta.line})` : "";
  return new ApprouteError(
    ErrorCode.UNSERIALIZABLE,
    `Cannot serialise ${what}${path ? ` at ${path}` : ""} of cached function ${meta.name}${where}: it is ${typeName(value)}. Only plain data crosses a cache boundary: strings, numbers, bigints, booleans, null, undefined, plain objects, arrays, Date, Map, Set, RegExp and typed arrays.`,
    {
      location: meta.file ? { file: meta.file, line: meta.line } : undefined,
      hint:
        what === "the return value"
          ? `Return plain data from ${meta.name} and build the Response (or class instance) in the caller.`
          : `Pass plain data to ${meta.name} (for example request.nextUrl.pathname instead of the request).`,
      cause: error,
    },
  );
}

/** Serialises the key part of a call; throws APR_UNSERIALIZABLE naming the bad value. */
export function serializeKey(
  meta: CachedFunctionMeta,
  closures: readonly unknown[],
  args: readonly unknown[],
): string {
  try {
    return closures.length === 0 ? stringify(args) : stringify([closures, args]);
  } catch (error) {
    const inClosure = error instanceof DevalueError && closures.length > 0 && error.path.startsWith("[0]");
    throw unserializableError(meta, inClosure ? "a closed-over value" : "an argument", error);
  }
}

function hashKey(text: string): string {
  return sha256(text, "base64url");
}

/** Propagates a nested result's lifetime and tags to the enclosing scope (R102, R106). */
function propagate(parent: CacheScope | undefined, result: CachedResult): void {
  if (parent === undefined) {
    // Called straight from a GET being rendered for the route cache: the route entry takes the tags
    // and the shortest lifetime (R102, R106).
    const route = currentRequestStore()?.routeCacheScope;
    if (route !== undefined) {
      for (const tag of result.tags) if (!route.tags.includes(tag)) route.tags.push(tag);
      route.revalidate = Math.min(route.revalidate ?? Number.POSITIVE_INFINITY, result.life.revalidate);
      route.expire = Math.min(route.expire ?? Number.POSITIVE_INFINITY, result.life.expire);
    }
    return;
  }
  parent.innerLife = minLife(parent.innerLife, result.life);
  for (const tag of result.tags) if (!parent.tags.includes(tag)) parent.tags.push(tag);
}

/** Runs one cached call and returns a fresh copy of its value. */
export async function runCached(spec: CallSpec): Promise<unknown> {
  const parent = cacheScopeStorage.getStore();
  const runtime = activeRuntime(parent?.runtime);
  const store = currentRequestStore();
  const { meta } = spec;
  const key = `${meta.kind}:${runtime.buildId}:${meta.id}:${hashKey(spec.keyText)}`;

  if (meta.kind === "private") return parse(await runPrivate(spec, key, runtime, store, parent));

  const handler = runtime.handler(meta.kind);
  if (handler === undefined) {
    throw new ApprouteError(
      ErrorCode.INVALID_CONFIG,
      `"use cache: ${meta.kind}" on ${meta.name} (${meta.file}:${meta.line}) names a cache handler that is not configured.`,
      {
        location: { file: meta.file, line: meta.line },
        hint: `Add cacheHandlers: { "${meta.kind}": "<path to handler module>" } to next.config, or use "use cache" / "use cache: remote".`,
      },
    );
  }
  // A cacheComponents prerender runs the GET twice (R90): the second run reads what the first one
  // stored from this in-memory copy, so a cache handler behind the network cannot miss its task budget.
  const memo = store?.prerenderMemo as Map<string, CachedResult> | undefined;
  const remembered = memo?.get(key);
  if (remembered !== undefined) {
    propagate(parent, remembered);
    return parse(remembered.text);
  }
  let pending = runtime.inflight.get(key);
  if (pending === undefined) {
    pending = lookup(spec, key, handler, runtime, requestImplicitTags(store), store?.route);
    runtime.inflight.set(key, pending);
    const forget = () => {
      if (runtime.inflight.get(key) === pending) runtime.inflight.delete(key);
    };
    pending.then(forget, forget);
  }
  const result = await pending;
  memo?.set(key, result);
  propagate(parent, result);
  return parse(result.text);
}

async function lookup(
  spec: CallSpec,
  key: string,
  handler: CacheHandler,
  runtime: CacheRuntime,
  softTags: string[],
  route: string | undefined,
): Promise<CachedResult> {
  const { meta } = spec;
  let entry: Awaited<ReturnType<CacheHandler["get"]>>;
  try {
    entry = await handler.get(key, softTags);
    runtime.storageOk(meta.kind);
  } catch (error) {
    runtime.storageFailed(meta.kind, error);
    entry = undefined;
  }
  if (entry !== undefined) {
    const at = runtime.now();
    let usable = at - entry.timestamp <= entry.expire * 1000;
    if (usable) {
      const expiration = await handler.getExpiration([...entry.tags, ...softTags]).catch(() => 0);
      if (Number.isFinite(expiration) && expiration > entry.timestamp && expiration <= at) usable = false;
    }
    if (usable) {
      const text = decoder.decode(await bytesOf(entry.value));
      const result: CachedResult = {
        text,
        life: { stale: entry.stale, revalidate: entry.revalidate, expire: entry.expire },
        tags: entry.tags,
      };
      const stale = entry.revalidate < 0 || at - entry.timestamp > entry.revalidate * 1000;
      if (stale && !runtime.revalidating.has(key)) {
        runtime.revalidating.add(key);
        generate(spec, key, handler, runtime, route)
          .catch((error) =>
            runtime.logger.error(
              `Background regeneration of cached function ${meta.name} (${meta.file}:${meta.line}) failed; the stale value stays in use:`,
              error,
            ),
          )
          .finally(() => runtime.revalidating.delete(key));
      }
      if (entry.revalidate < 0) result.life = { ...result.life, revalidate: 0 };
      return result;
    }
  }
  return generate(spec, key, handler, runtime, route);
}

async function compute(
  spec: CallSpec,
  runtime: CacheRuntime,
  route: string | undefined,
): Promise<{ text: string; life: CacheLife; tags: string[] }> {
  const { meta } = spec;
  const scope: CacheScope = {
    flavor: spec.flavor,
    kind: meta.kind,
    name: meta.name,
    route: route ?? "(outside a request)",
    tags: spec.fixedTags ? [...spec.fixedTags] : [],
    runtime,
  };
  const value = await cacheScopeStorage.run(scope, spec.run);
  let text: string;
  try {
    text = stringify(value);
  } catch (error) {
    throw unserializableError(meta, "the return value", error);
  }
  let life = scope.explicitLife ?? spec.fixedLife ?? runtime.profiles.default!;
  // R102 as in Next 16: an explicit cacheLife() decides; without one, nested entries shorten it.
  if (scope.explicitLife === undefined && scope.innerLife !== undefined)
    life = minLife(life, scope.innerLife);
  return { text, life, tags: scope.tags };
}

async function generate(
  spec: CallSpec,
  key: string,
  handler: CacheHandler,
  runtime: CacheRuntime,
  route: string | undefined,
): Promise<CachedResult> {
  // The entry is as old as the data it read: stamping it with the start time means a
  // revalidateTag that lands while the body is still running also invalidates this result.
  const startedAt = runtime.now();
  const { text, life, tags } = await compute(spec, runtime, route);
  const entry = {
    value: streamOf(encoder.encode(text)),
    tags,
    stale: life.stale,
    revalidate: life.revalidate,
    expire: life.expire,
    timestamp: startedAt,
  };
  try {
    await handler.set(key, Promise.resolve(entry));
    runtime.storageOk(spec.meta.kind);
  } catch (error) {
    runtime.storageFailed(spec.meta.kind, error);
  }
  return { text, life, tags };
}

/** `"use cache: private"` (R105): kept per request only, never in a shared handler. */
async function runPrivate(
  spec: CallSpec,
  key: string,
  runtime: CacheRuntime,
  store: RequestStore | undefined,
  parent: CacheScope | undefined,
): Promise<string> {
  if (parent !== undefined && parent.flavor !== "private") {
    throw new ApprouteError(
      ErrorCode.CACHE_SCOPE,
      `"use cache: private" function ${spec.meta.name} (${spec.meta.file}:${spec.meta.line}) was called inside the shared cached function ${parent.name}. Private caches may not be nested in shared ones.`,
      { hint: `Call ${spec.meta.name} from the route handler, or make ${parent.name} private too.` },
    );
  }
  const entries = store
    ? ((store[kPrivateEntries] as Map<string, Promise<CachedResult>> | undefined) ??
      (store[kPrivateEntries] = new Map<string, Promise<CachedResult>>()))
    : new Map<string, Promise<CachedResult>>();
  let pending = (entries as Map<string, Promise<CachedResult>>).get(key);
  if (pending === undefined) {
    pending = compute(spec, runtime, store?.route);
    (entries as Map<string, Promise<CachedResult>>).set(key, pending);
    pending.catch(() => (entries as Map<string, Promise<CachedResult>>).delete(key));
  }
  const result = await pending;
  propagate(parent, result);
  return result.text;
}

/**
 * Entry point the build transform calls for every `"use cache"` function (not public API):
 * `closures` are the values the function closes over, `args` the call arguments.
 */
export function __cached(
  meta: CachedFunctionMeta,
  closures: unknown[],
  callArgs: ArrayLike<unknown>,
  run: (...args: unknown[]) => Promise<unknown>,
): Promise<unknown> {
  // Functions pass their `arguments` object, arrows a rest array.
  const args = Array.isArray(callArgs) ? callArgs : Array.from(callArgs);
  let keyText: string;
  try {
    keyText = serializeKey(meta, closures, args);
  } catch (error) {
    return Promise.reject(error);
  }
  return runCached({
    meta,
    flavor: meta.kind === "private" ? "private" : "use cache",
    keyText,
    run: () => run(...args),
  });
}
