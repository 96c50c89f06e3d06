/**
 * The embedded default cache handler: an in-process LRU bounded by bytes (`cacheMaxMemorySize`,
 * default 50 MB, `0` disables it; R122) with tag invalidation kept in memory. No service needed.
 * @module
 */
import {
  bytesOf,
  type EntryMeta,
  preciseNow,
  streamOf,
  type TagState,
  tagStateFor,
  tagVerdict,
} from "./entry.js";
import type { CacheEntry, CacheHandler } from "./types.js";

/** Default bound of the memory cache (R122). */
export const DEFAULT_MAX_MEMORY = 50 * 1024 * 1024;
/** Rough per-entry bookkeeping cost counted against the bound. */
const ENTRY_OVERHEAD = 256;

interface Stored {
  meta: EntryMeta;
  bytes: Uint8Array;
  size: number;
}

export interface MemoryHandlerOptions {
  /** Byte bound; 0 stores nothing. */
  maxBytes?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
}

/** Creates an LRU cache handler. Each instance has its own entries and tag state. */
export function createMemoryHandler(options: MemoryHandlerOptions = {}): CacheHandler & {
  /** Bytes currently held (for tests and stats). */
  readonly size: number;
  readonly count: number;
} {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MEMORY;
  const now = options.now ?? preciseNow;
  const entries = new Map<string, Stored>();
  const pending = new Map<string, Promise<void>>();
  const tags = new Map<string, TagState>();
  let total = 0;
  /** The key at the most recent end of `entries` (so a hit on it need not be moved there again). */
  let newest: string | undefined;

  function remove(key: string): void {
    const stored = entries.get(key);
    if (stored === undefined) return;
    entries.delete(key);
    if (newest === key) newest = undefined;
    total -= stored.size;
  }

  function evict(): void {
    for (const key of entries.keys()) {
      if (total <= maxBytes) return;
      remove(key);
    }
  }

  /** The live entry for `cacheKey` and its revalidate (-1 when a tag made it stale), or undefined. */
  function lookup(
    cacheKey: string,
    softTags: string[],
    at: number = now(),
  ): { stored: Stored; revalidate: number } | undefined {
    const stored = entries.get(cacheKey);
    if (stored === undefined) return undefined;
    const meta = stored.meta;
    if (at - meta.timestamp > meta.expire * 1000) {
      remove(cacheKey);
      return undefined;
    }
    let verdict: "fresh" | "stale" | "expired" = "fresh";
    if (tags.size > 0) {
      const state = (tag: string) => tags.get(tag);
      verdict = tagVerdict(meta.timestamp, meta.tags, state, at);
      if (verdict !== "expired" && softTags.length > 0) {
        const soft = tagVerdict(meta.timestamp, softTags, state, at);
        if (soft !== "fresh") verdict = soft;
      }
    }
    if (verdict === "expired") {
      remove(cacheKey);
      return undefined;
    }
    // LRU: move to the most recent end (hot path: a repeated hit on one key is already there).
    if (newest !== cacheKey) {
      entries.delete(cacheKey);
      entries.set(cacheKey, stored);
      newest = cacheKey;
    }
    return { stored, revalidate: verdict === "stale" ? -1 : meta.revalidate };
  }

  return {
    get size() {
      return total;
    },
    get count() {
      return entries.size;
    },
    async get(cacheKey, softTags) {
      const inFlight = pending.get(cacheKey);
      if (inFlight !== undefined) await inFlight;
      const found = lookup(cacheKey, softTags);
      if (found === undefined) return undefined;
      return { ...found.stored.meta, revalidate: found.revalidate, value: streamOf(found.stored.bytes) };
    },
    peek(cacheKey, softTags, at) {
      if (pending.has(cacheKey)) return undefined;
      const found = lookup(cacheKey, softTags, at);
      return found === undefined
        ? undefined
        : { timestamp: found.stored.meta.timestamp, revalidate: found.revalidate };
    },
    async set(cacheKey, pendingEntry) {
      let release!: () => void;
      const done = new Promise<void>((resolve) => {
        release = resolve;
      });
      pending.set(cacheKey, done);
      try {
        const entry: CacheEntry = await pendingEntry;
        const bytes = await bytesOf(entry.value);
        if (maxBytes <= 0) return;
        const size = bytes.byteLength + cacheKey.length * 2 + ENTRY_OVERHEAD;
        remove(cacheKey);
        if (size > maxBytes) return;
        const { value: _value, ...meta } = entry;
        entries.set(cacheKey, { meta, bytes, size });
        newest = cacheKey;
        total += size;
        evict();
      } finally {
        if (pending.get(cacheKey) === done) pending.delete(cacheKey);
        release();
      }
    },
    async refreshTags() {},
    async getExpiration() {
      // Tag state is checked inside get().
      return Number.POSITIVE_INFINITY;
    },
    async updateTags(list, durations) {
      const state = tagStateFor(now(), durations);
      for (const tag of list) tags.set(tag, state);
    },
  };
}
