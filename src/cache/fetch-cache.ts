/**
 * The data cache for `fetch()` inside route modules (issue #4 item 4; R78, R80, R85, R94, R112).
 * Compiled route code calls {@link fetch} here instead of the global (bound at build time like
 * `Response`, see src/build/inject-globals.ts); the process-wide `fetch` is never replaced.
 *
 * The decision follows Next 16's rules: `cache: "force-cache"` or `next.revalidate` (> 0 or false)
 * caches, `cache: "no-store"` / `revalidate: 0` never does, the default is uncached unless the
 * route's `fetchCache` says otherwise; `force-dynamic` makes the default no-store; inside
 * `unstable_cache` fetches are never cached. Only 200 responses are stored. Stale entries are served
 * while one background refresh per key runs (inside `"use cache"` the refresh happens in the
 * foreground, so the outer entry never stores stale data); a failed refresh keeps the stale entry.
 * Tags on the call and the route's implicit tags (R94) let `revalidateTag`/`revalidatePath`
 * invalidate entries. Every caller gets its own Response.
 *
 * hot path: a call with no `cache`/`next` option, in a process where no route asked for caching by
 * default, goes straight to the global `fetch` without reading the request store.
 * @module
 */
import { cacheScopeStorage } from "../context/cache-scope.js";
import { currentRequestStore, type RequestStore } from "../context/request-store.js";
import type { FetchCacheOption } from "../core/segment-config.js";
import { bytesOf, streamOf } from "./entry.js";
import { sha256 } from "./hash.js";
import { minLife, NEVER } from "./profiles.js";
import { type CacheRuntime, requestImplicitTags } from "./runtime.js";
import { headerSafeTag, MAX_TAG_LENGTH, MAX_TAGS } from "./tags.js";
import type { CacheHandler } from "./types.js";

/** What a route's segment config says about its fetches, decided once at load. */
export interface FetchRoutePolicy {
  /** The exported `fetchCache` (R85), or undefined when not exported (Next treats the two differently). */
  fetchCache: FetchCacheOption | undefined;
  /** `dynamic = "force-dynamic"`: fetches without options are not cached (R78). */
  forceDynamic: boolean;
  /** `dynamic = "force-static"`: a `revalidate: 0` fetch does not make the route dynamic. */
  forceStatic: boolean;
}

/** A stored upstream response. */
export interface StoredFetch {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
  url: string;
  tags: string[];
  /** When it was fetched (ms). */
  timestamp: number;
  /** Seconds until stale; {@link NEVER} for "until invalidated". */
  revalidate: number;
  /** Set when a tag invalidation marked it stale (served once more, then refreshed). */
  stale?: boolean;
}

/** What the store is told on a lookup (the fields Next hands a `cacheHandler` for kind FETCH). */
export interface FetchLookup {
  revalidate: number;
  fetchUrl: string;
  fetchIdx: number;
  tags: string[];
  softTags: string[];
}

/** Where fetch entries live: the app's cache handler, or a Next-style `cacheHandler` class (R121). */
export interface FetchStore {
  /** True for a custom `cacheHandler`: entries above 2 MB are stored too (as Next does). */
  unbounded?: boolean;
  get(key: string, ctx: FetchLookup): Promise<StoredFetch | undefined>;
  set(key: string, value: StoredFetch, ctx: Omit<FetchLookup, "softTags">): Promise<void>;
}

/** Key prefix of fetch entries in a cache handler. */
export const FETCH_KEY_PREFIX = "approute:fetch:";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Fetch entries over a cache handler (memory LRU or Redis): `[u32 meta length][meta JSON][body]`. */
export function fetchStoreOver(handler: CacheHandler): FetchStore {
  return {
    async get(key, ctx) {
      const entry = await handler.get(FETCH_KEY_PREFIX + key, ctx.softTags);
      if (entry === undefined) return undefined;
      const bytes = await bytesOf(entry.value);
      if (bytes.byteLength < 4) return undefined;
      const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
      if (4 + length > bytes.byteLength) return undefined;
      let meta: {
        v?: number;
        status: number;
        statusText: string;
        headers: Array<[string, string]>;
        url: string;
      };
      try {
        meta = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length)));
      } catch {
        return undefined;
      }
      if (meta.v !== 1) return undefined;
      return {
        status: meta.status,
        statusText: meta.statusText,
        headers: meta.headers,
        url: meta.url,
        body: bytes.slice(4 + length),
        tags: entry.tags,
        timestamp: entry.timestamp,
        revalidate: entry.revalidate < 0 ? NEVER : entry.revalidate,
        stale: entry.revalidate < 0,
      };
    },
    async set(key, value) {
      const meta = encoder.encode(
        JSON.stringify({
          v: 1,
          status: value.status,
          statusText: value.statusText,
          headers: value.headers,
          url: value.url,
        }),
      );
      const bytes = new Uint8Array(4 + meta.byteLength + value.body.byteLength);
      new DataView(bytes.buffer).setUint32(0, meta.byteLength);
      bytes.set(meta, 4);
      bytes.set(value.body, 4 + meta.byteLength);
      await handler.set(
        FETCH_KEY_PREFIX + key,
        Promise.resolve({
          value: streamOf(bytes),
          tags: value.tags,
          stale: 0,
          timestamp: value.timestamp,
          revalidate: value.revalidate,
          // Fetch entries have no expiry of their own (Next keeps them until evicted).
          expire: NEVER,
        }),
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The binding compiled route code calls.

/** Set once any loaded app has a route whose fetches are cached by default (its `fetchCache`). */
let defaultCachingSomewhere = false;

/** Called at app load when a route's `fetchCache` can make option-less fetches cached. */
export function noteDefaultFetchCaching(): void {
  defaultCachingSomewhere = true;
}

type FetchInput = Parameters<typeof globalThis.fetch>[0];
type FetchInit = (RequestInit & { next?: { revalidate?: number | false; tags?: string[] } }) | undefined;

function isRequestLike(input: unknown): input is Request & { next?: FetchInit extends infer I ? I : never } {
  return typeof input === "object" && input !== null && typeof (input as Request).method === "string";
}

/**
 * `fetch` as route modules see it. Same signature and result as the global; consults the request
 * store only when a cache option or the route's config can make the call cached.
 */
export function fetch(input: FetchInput, init?: FetchInit): Promise<Response> {
  if (!defaultCachingSomewhere && plainCall(input, init)) return globalThis.fetch(input, init);
  return dataCacheFetch(input, init);
}

/** True when nothing on the call asks for (or against) caching. */
function plainCall(input: FetchInput, init: FetchInit): boolean {
  if (init !== undefined && init !== null) {
    if (init.next !== undefined && init.next !== null) return false;
    const cache = init.cache;
    if (cache !== undefined && cache !== "default") return false;
  }
  if (isRequestLike(input)) {
    const cache = input.cache;
    if (cache !== undefined && cache !== "default") return false;
  }
  return true;
}

const kFetchIdx = Symbol.for("approute.fetch.idx");
/** Set on the request store by `unstable_noStore()`. */
export const NO_STORE_KEY = Symbol.for("approute.fetch.noStore");
/** Next refuses fetch entries above 2 MB unless a custom `cacheHandler` stores them. */
export const MAX_FETCH_ENTRY_BYTES = 2 * 1024 * 1024;
const PRERENDER_BYPASS = "__prerender_bypass";
/** Next's "cache forever" revalidate. */
const INFINITE = NEVER;

function isDraft(store: RequestStore): boolean {
  if (store.draftMode !== undefined) return store.draftMode.enabled;
  if (store.previewId === undefined || store.phase === "prerender") return false;
  return store.request.cookies.get(PRERENDER_BYPASS)?.value === store.previewId;
}

function validTags(tags: unknown, runtime: CacheRuntime, url: string): string[] {
  if (!Array.isArray(tags)) return [];
  const out: string[] = [];
  for (const tag of tags) {
    if (typeof tag !== "string" || tag.length > MAX_TAG_LENGTH) {
      runtime.warnOnce(
        `fetch ${url}: tag ${JSON.stringify(tag)} is ignored (tags are strings of at most ${MAX_TAG_LENGTH} characters).`,
      );
      continue;
    }
    if (out.length >= MAX_TAGS) {
      runtime.warnOnce(`fetch ${url}: more than ${MAX_TAGS} tags; the rest are ignored.`);
      break;
    }
    const safe = headerSafeTag(tag);
    if (!out.includes(safe)) out.push(safe);
  }
  return out;
}

function normalizeRevalidate(value: unknown, route: string): number | undefined {
  if (value === false || value === Number.POSITIVE_INFINITY) return INFINITE;
  if (typeof value === "number" && !Number.isNaN(value) && value > -1) return value;
  if (value === undefined) return undefined;
  throw new Error(
    `Invalid revalidate value "${String(value)}" on "${route}", must be a non-negative number or false`,
  );
}

async function dataCacheFetch(input: FetchInput, init: FetchInit): Promise<Response> {
  const store = currentRequestStore();
  if (store === undefined) return globalThis.fetch(input, init);
  const runtime = store.cacheRuntime as CacheRuntime | undefined;
  if (runtime === undefined || isDraft(store)) return globalThis.fetch(input, init);

  let url: string;
  try {
    const parsed = new URL(isRequestLike(input) ? input.url : String(input));
    parsed.username = "";
    parsed.password = "";
    url = parsed.href;
  } catch {
    // A malformed URL fails in the real fetch with its usual error.
    return globalThis.fetch(input, init);
  }
  // fetch(new Request(…), init): init overrides the Request, as in native fetch. `next` stays apart.
  if (isRequestLike(input) && init !== undefined && init !== null) {
    const { next, ...overrides } = init;
    input = new Request(input, overrides);
    init = next === undefined ? undefined : { next };
  }
  const request = isRequestLike(input) ? input : undefined;
  const option = <K extends keyof RequestInit>(field: K): RequestInit[K] | undefined =>
    (init?.[field] as RequestInit[K] | undefined) || (request?.[field as keyof Request] as RequestInit[K]);
  const nextField = (field: "revalidate" | "tags"): unknown =>
    init?.next?.[field] !== undefined
      ? init.next[field]
      : (request as { next?: Record<string, unknown> } | undefined)?.next?.[field];

  const scope = cacheScopeStorage.getStore();
  const policy = runtime.fetchPolicies.get(store.route);
  let mode = policy?.fetchCache;
  if (scope?.flavor === "unstable_cache") mode = "force-no-store";
  const route = store.route;
  const originalRevalidate = nextField("revalidate");
  let revalidate = originalRevalidate as number | false | undefined;
  const tags = validTags(nextField("tags") ?? [], runtime, url);
  let cacheOption = option("cache") as string | undefined;

  if (typeof cacheOption === "string" && revalidate !== undefined) {
    const conflicting =
      (cacheOption === "force-cache" && revalidate === 0) ||
      (cacheOption === "no-store" && (revalidate === false || revalidate > 0));
    if (conflicting) {
      runtime.warnOnce(
        `fetch ${url} on "${route}": specified "cache: ${cacheOption}" and "revalidate: ${String(revalidate)}", only one should be specified.`,
      );
      cacheOption = undefined;
      revalidate = undefined;
    }
  }
  const optedOut =
    cacheOption === "no-cache" ||
    cacheOption === "no-store" ||
    mode === "force-no-store" ||
    mode === "only-no-store";
  const forceDynamicDefault =
    mode === undefined && cacheOption === undefined && !revalidate && policy?.forceDynamic === true;
  if (cacheOption === "force-cache" && revalidate === undefined) revalidate = false;
  else if (optedOut || forceDynamicDefault) revalidate = 0;
  let final = normalizeRevalidate(revalidate, route);
  const noExplicitConfig =
    mode === undefined &&
    (cacheOption === undefined || cacheOption === "default") &&
    revalidate === undefined;

  switch (mode) {
    case "only-no-store":
      if (cacheOption === "force-cache" || (final !== undefined && final > 0))
        throw new Error(
          `cache: 'force-cache' used on fetch for ${url} with 'export const fetchCache = 'only-no-store'`,
        );
      break;
    case "only-cache":
      if (cacheOption === "no-store")
        throw new Error(
          `cache: 'no-store' used on fetch for ${url} with 'export const fetchCache = 'only-cache'`,
        );
      break;
    case "force-cache":
      if (revalidate === undefined || revalidate === 0) final = INFINITE;
      break;
    default:
      break;
  }
  // The entry being rendered around this call: a "use cache" scope, or a route-cache fill.
  const fill = scope === undefined ? store.routeCacheScope : undefined;
  const shared = scope !== undefined && scope.flavor !== "unstable_cache" ? scope : undefined;
  const noStoreCalled = store[NO_STORE_KEY] === true;
  if (final === undefined) {
    if (mode === "default-cache" && !noStoreCalled) final = INFINITE;
    else if (mode === "default-no-store" || noStoreCalled || noExplicitConfig) final = 0;
    else if (fill !== undefined) final = fill.revalidate ?? fillRevalidate(runtime, route);
    else final = INFINITE;
  }
  // Tags and shorter lifetimes reach the enclosing entry (the route's ISR entry or a cached function).
  if (fill !== undefined) {
    for (const tag of tags) if (!fill.tags.includes(tag)) fill.tags.push(tag);
    const current = fill.revalidate ?? fillRevalidate(runtime, route);
    if (!noExplicitConfig && final < current && !(policy?.forceStatic === true && final === 0)) {
      // R80: an uncached fetch while rendering for the cache makes the route dynamic.
      if (final === 0)
        store.onDynamicAccess?.(
          `fetch ${url} with ${cacheOption === "no-store" ? "cache: 'no-store'" : "revalidate: 0"}`,
        );
      if (normalizeRevalidate(originalRevalidate, route) === final) fill.revalidate = final;
    }
  } else if (shared !== undefined) {
    for (const tag of tags) if (!shared.tags.includes(tag)) shared.tags.push(tag);
    if (
      !noExplicitConfig &&
      final > 0 &&
      final < INFINITE &&
      normalizeRevalidate(originalRevalidate, route) === final
    ) {
      const inner = shared.innerLife;
      shared.innerLife = minLife(inner, {
        stale: inner?.stale ?? NEVER,
        revalidate: final,
        expire: inner?.expire ?? NEVER,
      });
    }
  }
  if (!(final > 0)) return globalThis.fetch(input, upstreamInit(init));

  const fetchIdx = ((store[kFetchIdx] as number | undefined) ?? 0) + 1;
  store[kFetchIdx] = fetchIdx;
  const prepared = await prepareKey(url, input, init);
  input = prepared.input;
  init = prepared.init;
  const lookup: FetchLookup = {
    revalidate: final,
    fetchUrl: url,
    fetchIdx,
    tags,
    softTags: requestImplicitTags(store),
  };
  // An entry being rendered for a cache (a route fill or a "use cache" body) must not store stale
  // data: there a stale fetch entry is refreshed before answering, as Next does.
  const foreground = fill !== undefined || shared !== undefined;
  const call = { input, init, key: prepared.key, lookup, runtime, foreground };
  return cachedCall(call);
}

/**
 * The init the real fetch gets once the data cache has decided: without `next`, and without
 * `cache` (its meaning is applied here; workerd rejects modes such as "force-cache").
 */
function upstreamInit(init: FetchInit): RequestInit | undefined {
  if (init === undefined || init === null || (init.cache === undefined && init.next === undefined))
    return init;
  const { cache: _cache, next: _next, ...rest } = init;
  return rest;
}

/** The revalidate of the route being filled, from its segment config. */
function fillRevalidate(runtime: CacheRuntime, route: string): number {
  const value = runtime.routeRevalidate.get(route);
  return value === undefined || value === false ? INFINITE : value;
}

interface CachedCall {
  input: FetchInput;
  init: FetchInit;
  key: string;
  lookup: FetchLookup;
  runtime: CacheRuntime;
  /** Rendering for a cache (route fill, "use cache"): refresh stale entries before answering. */
  foreground: boolean;
}

/** What one upstream call produced, shared by concurrent callers of the same key. */
interface Fetched {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
  url: string;
}

async function cachedCall(call: CachedCall): Promise<Response> {
  const { runtime, key, lookup } = call;
  let entry: StoredFetch | undefined;
  try {
    entry = await runtime.fetchStore.get(key, lookup);
    runtime.storageOk("fetch");
  } catch (error) {
    runtime.storageFailed("fetch", error);
  }
  if (entry !== undefined) {
    const age = runtime.now() - entry.timestamp;
    const stale = entry.stale === true || (lookup.revalidate < INFINITE && age > lookup.revalidate * 1000);
    if (!stale) return toResponse(entry);
    if (!call.foreground) {
      refreshInBackground(call);
      return toResponse(entry);
    }
  }
  return toResponse(await fill(call));
}

/** Fetches and stores, once per key at a time across the app (concurrent misses share it). */
function fill(call: CachedCall): Promise<Fetched> {
  const inflight = call.runtime.fetchInflight as Map<string, Promise<Fetched>>;
  let pending = inflight.get(call.key);
  if (pending === undefined) {
    pending = upstream(call);
    inflight.set(call.key, pending);
    const forget = () => {
      if (inflight.get(call.key) === pending) inflight.delete(call.key);
    };
    pending.then(forget, forget);
  }
  return pending;
}

function refreshInBackground(call: CachedCall): void {
  const id = `fetch:${call.key}`;
  const { runtime } = call;
  if (runtime.revalidating.has(id)) return;
  runtime.revalidating.add(id);
  // Without the caller's abort signal: the refresh outlives the request that triggered it.
  const init = call.init === undefined ? undefined : { ...call.init, signal: undefined };
  fill({ ...call, init })
    .then((fetched) => {
      if (fetched.status !== 200)
        runtime.logger.warn(
          `Refreshing the cached fetch of ${call.lookup.fetchUrl} got status ${fetched.status}; the stale copy is kept.`,
        );
    })
    .catch((error) =>
      runtime.logger.error(
        `Refreshing the cached fetch of ${call.lookup.fetchUrl} failed; the stale copy is kept:`,
        error,
      ),
    )
    .finally(() => runtime.revalidating.delete(id));
}

async function upstream(call: CachedCall): Promise<Fetched> {
  const { runtime } = call;
  const startedAt = runtime.now();
  const response = await globalThis.fetch(call.input, upstreamInit(call.init));
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Array<[string, string]> = [];
  for (const pair of response.headers) headers.push(pair);
  const fetched: Fetched = {
    status: response.status,
    statusText: response.statusText,
    headers,
    body,
    url: response.url,
  };
  // Only 200s are stored, as in Next, and (with the built-in storage) only up to 2 MB.
  if (response.status === 200 && body.byteLength > MAX_FETCH_ENTRY_BYTES && !runtime.fetchStore.unbounded) {
    runtime.warnOnce(
      `Failed to set the data cache for ${call.lookup.fetchUrl}: items over 2 MB are not cached (${body.byteLength} bytes).`,
    );
  } else if (response.status === 200) {
    const { lookup } = call;
    try {
      await runtime.fetchStore.set(
        call.key,
        { ...fetched, tags: lookup.tags, timestamp: startedAt, revalidate: lookup.revalidate },
        {
          revalidate: lookup.revalidate,
          fetchUrl: lookup.fetchUrl,
          fetchIdx: lookup.fetchIdx,
          tags: lookup.tags,
        },
      );
      runtime.storageOk("fetch");
    } catch (error) {
      runtime.storageFailed("fetch", error);
    }
  }
  return fetched;
}

/** A fresh Response per caller, with `url` as the upstream reported it. */
function toResponse(data: Fetched): Response {
  const response = new Response(
    data.body.byteLength === 0 && nullBody(data.status) ? null : data.body.slice(),
    {
      status: data.status,
      statusText: data.statusText,
      headers: data.headers,
    },
  );
  if (data.url) Object.defineProperty(response, "url", { value: data.url });
  return response;
}

function nullBody(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}

// ---------------------------------------------------------------------------------------------
// The key: method, URL, request headers and body bytes (and the other request options).

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

async function prepareKey(
  url: string,
  input: FetchInput,
  init: FetchInit,
): Promise<{ key: string; input: FetchInput; init: FetchInit }> {
  const request = isRequestLike(input) ? input : undefined;
  const source: RequestInit = request ?? init ?? {};
  const chunks: string[] = [];
  let bodyType: string | null = null;
  if (request !== undefined) {
    if (request.body !== null) {
      // Read a copy; the original Request still goes upstream with its body.
      const bytes = new Uint8Array(await request.clone().arrayBuffer());
      chunks.push(`bytes:${hex(bytes)}`);
    }
  } else if (init?.body !== undefined && init.body !== null) {
    const body = init.body as unknown;
    if (typeof body === "string") {
      chunks.push(`str:${body}`);
      bodyType = "text/plain;charset=UTF-8";
    } else if (body instanceof Uint8Array || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
      const bytes =
        body instanceof ArrayBuffer
          ? new Uint8Array(body)
          : new Uint8Array(
              (body as ArrayBufferView).buffer,
              (body as ArrayBufferView).byteOffset,
              (body as ArrayBufferView).byteLength,
            );
      chunks.push(`bytes:${hex(bytes)}`);
    } else if (body instanceof URLSearchParams || body instanceof FormData) {
      bodyType =
        body instanceof FormData
          ? "multipart/form-data; boundary="
          : "application/x-www-form-urlencoded;charset=UTF-8";
      for (const [name, value] of body as Iterable<[string, FormDataEntryValue]>) {
        chunks.push(`key:${name}`);
        if (typeof value === "string") chunks.push(`str:${value}`);
        else
          chunks.push(
            "file",
            value.name,
            value.type,
            `bytes:${hex(new Uint8Array(await value.arrayBuffer()))}`,
          );
      }
    } else if (body instanceof Blob) {
      const bytes = new Uint8Array(await body.arrayBuffer());
      chunks.push("blob", body.type, `bytes:${hex(bytes)}`);
      init = { ...init, body: new Blob([bytes], { type: body.type }) };
      bodyType = body.type;
    } else if (body instanceof ReadableStream) {
      // A stream can be read once: read it for the key and send the bytes upstream instead.
      const bytes = await bytesOf(body as ReadableStream<Uint8Array>);
      chunks.push(`bytes:${hex(bytes)}`);
      init = { ...init, body: bytes as Uint8Array<ArrayBuffer>, duplex: undefined } as FetchInit;
    }
  }
  const headerSource = source.headers;
  const headers: Record<string, string> =
    headerSource instanceof Headers
      ? Object.fromEntries(headerSource)
      : Array.isArray(headerSource)
        ? Object.fromEntries(headerSource as Array<[string, string]>)
        : { ...((headerSource as Record<string, string> | undefined) ?? {}) };
  // Trace context differs on every call and must not split the cache.
  delete headers.traceparent;
  delete headers.tracestate;
  const text = JSON.stringify([
    "approute-fetch-v1",
    url,
    (source.method ?? "GET").toUpperCase(),
    bodyType,
    headers,
    source.mode,
    source.redirect,
    source.credentials,
    source.referrer,
    source.referrerPolicy,
    source.integrity,
    source.cache,
    chunks,
  ]);
  return { key: sha256(text, "hex"), input, init };
}
