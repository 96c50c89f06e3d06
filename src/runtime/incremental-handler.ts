/**
 * The next.config singular `cacheHandler` (R121): a class Next instantiates with
 * `{ dev, serverDistDir, revalidatedTags, maxMemoryCacheSize, … }` whose instance stores ISR route
 * responses (kind `APP_ROUTE`) and fetch entries (kind `FETCH`) through
 * `get(key, ctx)`, `set(key, data | null, ctx)`, `revalidateTag(tags, durations)` and
 * `resetRequestCache()`. This module adapts such an instance to approute's storage: the route cache
 * sees a `CacheHandler`, the fetch data cache a `FetchStore`, and each call reaches the instance with
 * the keys, values and context objects Next 16 passes, so an existing handler works unchanged.
 *
 * Keys are what `next start` 16.4.6 uses: `/route-cache/APP_ROUTE/<sha256 of "<route>/route">/$<path>`
 * for route responses, the hex request hash for fetches.
 * Tag invalidations are kept here as well (as Next keeps its in-process tags manifest), so a handler
 * whose `revalidateTag` only deletes by tag still gets correct stale/expired answers.
 * @module
 */
import { type TagState, tagStateFor, tagVerdict } from "../cache/entry.js";
import type { FetchStore, StoredFetch } from "../cache/fetch-cache.js";
import { sha256 } from "../cache/hash.js";
import { NEVER } from "../cache/profiles.js";
import { IMPLICIT_TAG_PREFIX } from "../cache/tags.js";
import type { CacheEntry, CacheHandler } from "../cache/types.js";
import { currentRequestStore } from "../context/request-store.js";
import { type CachedResponse, fromCacheEntry, toCacheEntry } from "./cached-response.js";
import { ROUTE_KEY_PREFIX } from "./route-cache.js";

/** An instance of a Next `cacheHandler` class (the methods approute calls). */
export interface NextIncrementalCacheHandler {
  get(key: string, ctx: Record<string, unknown>): Promise<NextCacheRecord | null | undefined>;
  set(key: string, data: Record<string, unknown> | null, ctx: Record<string, unknown>): Promise<void>;
  revalidateTag(tags: string | string[], durations?: { expire?: number }): Promise<void>;
  resetRequestCache?(): void;
}

/** What a handler's `get` returns. */
export interface NextCacheRecord {
  lastModified?: number;
  value: Record<string, unknown> | null;
  cacheControl?: { revalidate: number | false; expire?: number };
}

/** The context object Next constructs the class with (R121). */
export interface NextCacheHandlerContext {
  dev: boolean;
  /** Next writes its file-system cache when true; approute keeps no files, so false. */
  flushToDisk: boolean;
  serverDistDir?: string;
  revalidatedTags: string[];
  maxMemoryCacheSize?: number;
  fetchCacheKeyPrefix?: string;
  _requestHeaders: Record<string, string>;
}

/** Next's value for "one year", used for fetch entries cached forever. */
const ONE_YEAR = 31536000;
/** Next's header carrying a route entry's tags. */
const TAGS_HEADER = "x-next-cache-tags";
const kReset = Symbol.for("approute.incremental.reset");

type Bytes = Uint8Array<ArrayBuffer>;

function toBuffer(bytes: Uint8Array): Uint8Array {
  const B = (globalThis as { Buffer?: { from(b: ArrayBufferLike, o: number, l: number): Uint8Array } })
    .Buffer;
  return B ? B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}

/** Bytes from whatever a handler gave back: a Buffer, a JSON-revived Buffer, or text. */
function bytesFrom(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return new TextEncoder().encode(value);
  if (
    typeof value === "object" &&
    value !== null &&
    (value as { type?: unknown }).type === "Buffer" &&
    Array.isArray((value as { data?: unknown }).data)
  )
    return Uint8Array.from((value as { data: number[] }).data);
  return undefined;
}

function base64Of(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.byteLength; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Bytes {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Next's page-path normalisation for cache keys: `/` → `/index`, `/index/…` → `/index/index/…`. */
function normalizePagePath(path: string): string {
  if (path === "/") return "/index";
  if (/^\/index(\/|$)/.test(path) && !/\[[^\]]+\]/.test(path)) return `/index${path}`;
  return path.startsWith("/") ? path : `/${path}`;
}

/** Runs of percent-encoded bytes above 0x7F: the non-ASCII a tag was made header-safe for (R113). */
const ENCODED_NON_ASCII = /(?:%[89A-F][0-9A-F])+/g;

/**
 * The route key from a route entry's implicit tags (`_N_T_<route>/route`, R94), spelt as Next's
 * page name: the non-ASCII the tag percent-encodes is decoded back (`/café/route`).
 */
function sourceRoute(tags: readonly string[], pathname: string): string {
  for (const tag of tags) {
    if (tag.startsWith(IMPLICIT_TAG_PREFIX) && tag.endsWith("/route")) {
      const route = tag.slice(IMPLICIT_TAG_PREFIX.length).replace(ENCODED_NON_ASCII, (run) => {
        try {
          return decodeURIComponent(run);
        } catch {
          return run;
        }
      });
      return route === "/index/route" ? "/route" : route;
    }
  }
  return `${pathname === "/" ? "" : pathname}/route`;
}

/** The key Next 16.4.6 gives a route response in a `cacheHandler`. */
export function routeResponseKey(tags: readonly string[], pathname: string): string {
  const source = sha256(sourceRoute(tags, pathname), "hex");
  return `/route-cache/APP_ROUTE/${source}/$${normalizePagePath(pathname)}`;
}

export interface AdaptOptions {
  buildId: string;
  now: () => number;
  logger: { warn(message: string): void };
}

/** Adapts a Next `cacheHandler` instance to the route cache and the fetch data cache. */
export function adaptIncrementalHandler(
  instance: NextIncrementalCacheHandler,
  options: AdaptOptions,
): { handler: CacheHandler; fetchStore: FetchStore } {
  const tags = new Map<string, TagState>();
  // Lifetimes of route entries this process wrote, for records that come back without cacheControl.
  const lifetimes = new Map<string, { revalidate: number | false; expire?: number }>();
  const routePrefix = `${ROUTE_KEY_PREFIX}${options.buildId}:`;

  /**
   * Next resets the handler's per-request memo at the start of every request. Here: once per request
   * that uses the handler, and on every route-cache lookup (those run before any request store).
   */
  function touch(): void {
    const store = currentRequestStore();
    if (store !== undefined) {
      if (store[kReset] === true) return;
      store[kReset] = true;
    }
    instance.resetRequestCache?.();
  }

  function verdict(timestamp: number, list: Iterable<string>): "fresh" | "stale" | "expired" {
    if (tags.size === 0) return "fresh";
    return tagVerdict(timestamp, list, (tag) => tags.get(tag), options.now());
  }

  const handler: CacheHandler = {
    async get(cacheKey, softTags) {
      if (!cacheKey.startsWith(routePrefix)) return undefined;
      touch();
      const pathname = cacheKey.slice(routePrefix.length);
      const key = routeResponseKey(softTags, pathname);
      const record = await instance.get(key, {
        kind: "APP_ROUTE",
        isRoutePPREnabled: false,
        isFallback: false,
      });
      const value = record?.value;
      if (!record || !value || value.kind !== "APP_ROUTE") return undefined;
      const body = bytesFrom(value.body);
      if (body === undefined || typeof value.status !== "number") return undefined;
      const headers: Array<[string, string]> = [];
      let entryTags: string[] = [];
      for (const [name, raw] of Object.entries((value.headers as Record<string, unknown>) ?? {})) {
        if (raw === undefined || raw === null) continue;
        const lower = name.toLowerCase();
        if (lower === TAGS_HEADER) {
          entryTags = String(raw)
            .split(",")
            .filter((t) => t !== "");
          continue;
        }
        if (Array.isArray(raw)) for (const item of raw) headers.push([lower, String(item)]);
        else headers.push([lower, String(raw)]);
      }
      const control = record.cacheControl ?? lifetimes.get(key) ?? { revalidate: 1 };
      const marked = record.lastModified === -1;
      const timestamp = marked ? 0 : (record.lastModified ?? options.now());
      const state = verdict(timestamp, [...entryTags, ...softTags]);
      if (state === "expired") return undefined;
      const revalidate = control.revalidate === false ? false : control.revalidate;
      const entry: CachedResponse = {
        status: value.status,
        headers,
        body,
        tags: entryTags,
        timestamp,
        revalidate: state === "stale" || marked ? -1 : revalidate,
        expire: control.expire ?? NEVER,
      };
      return toCacheEntry(entry);
    },
    async set(cacheKey, pendingEntry) {
      if (!cacheKey.startsWith(routePrefix)) return;
      touch();
      const entry = await fromCacheEntry((await pendingEntry) as CacheEntry);
      if (entry === undefined) return;
      const key = routeResponseKey(entry.tags, cacheKey.slice(routePrefix.length));
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of entry.headers) {
        const existing = headers[name];
        if (existing === undefined) headers[name] = value;
        else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
      }
      if (entry.tags.length > 0) headers[TAGS_HEADER] = entry.tags.join(",");
      const cacheControl: { revalidate: number | false; expire?: number } = {
        revalidate: entry.revalidate === false || entry.revalidate >= NEVER ? false : entry.revalidate,
        expire: entry.expire >= NEVER ? undefined : entry.expire,
      };
      lifetimes.set(key, cacheControl);
      await instance.set(
        key,
        { kind: "APP_ROUTE", status: entry.status, headers, body: toBuffer(entry.body) },
        { kind: "APP_ROUTE", isRoutePPREnabled: false, isFallback: false, cacheControl },
      );
    },
    async refreshTags() {},
    async getExpiration() {
      return Number.POSITIVE_INFINITY;
    },
    async updateTags(list, durations) {
      const state = tagStateFor(options.now(), durations);
      for (const tag of list) tags.set(tag, state);
      await instance.revalidateTag(list, durations);
    },
  };

  const fetchStore: FetchStore = {
    unbounded: true,
    async get(key, ctx) {
      touch();
      const record = await instance.get(key, {
        kind: "FETCH",
        revalidate: ctx.revalidate,
        fetchUrl: ctx.fetchUrl,
        fetchIdx: ctx.fetchIdx,
        tags: ctx.tags,
        softTags: ctx.softTags,
      });
      const value = record?.value;
      if (!record || !value) return undefined;
      if (value.kind !== "FETCH") {
        options.logger.warn(
          `cacheHandler returned a "${String(value.kind)}" entry for the fetch cache key ${key}; it is ignored.`,
        );
        return undefined;
      }
      const data = value.data as {
        headers?: Record<string, string>;
        body?: string;
        status?: number;
        url?: string;
      };
      if (typeof data?.body !== "string") return undefined;
      const timestamp = record.lastModified ?? 0;
      const state = verdict(timestamp, [...ctx.tags, ...ctx.softTags]);
      if (state === "expired") return undefined;
      const stored: StoredFetch = {
        status: data.status ?? 200,
        statusText: "",
        headers: Object.entries(data.headers ?? {}),
        body: fromBase64(data.body),
        url: data.url ?? "",
        tags: ctx.tags,
        timestamp,
        revalidate: ctx.revalidate,
        stale: state === "stale",
      };
      return stored;
    },
    async set(key, value, ctx) {
      touch();
      const headers: Record<string, string> = {};
      for (const [name, item] of value.headers) headers[name] = item;
      await instance.set(
        key,
        {
          kind: "FETCH",
          data: { headers, body: base64Of(value.body), status: value.status, url: value.url },
          revalidate: value.revalidate >= NEVER ? ONE_YEAR : value.revalidate,
        },
        {
          fetchCache: true,
          fetchUrl: ctx.fetchUrl,
          fetchIdx: ctx.fetchIdx,
          tags: ctx.tags,
          isImplicitBuildTimeCache: false,
        },
      );
    },
  };

  return { handler, fetchStore };
}
