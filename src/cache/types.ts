/**
 * The cache storage contract, shaped like Next 16's `cacheHandlers` (R119, R120) so a Next user can
 * bring their handler module unchanged. Both `"use cache"` entries and revalidated route responses
 * (ISR) are stored through it, keyed by opaque strings and invalidated through tags.
 * @module
 */

/** One stored value. Durations are seconds, `timestamp` is milliseconds (R119). */
export interface CacheEntry {
  /** The serialised value; `get` must return a fresh stream every call. */
  value: ReadableStream<Uint8Array>;
  tags: string[];
  /** Seconds a client may use it without asking (cacheLife `stale`). */
  stale: number;
  /** When it was produced (ms since epoch). */
  timestamp: number;
  /** Seconds after which it is gone (a miss). */
  expire: number;
  /** Seconds after which it is stale: served once more while regenerated in the background. */
  revalidate: number;
}

/** A cache handler (`cacheHandlers.default`, `cacheHandlers.remote`, or custom kinds). */
export interface CacheHandler {
  /** The entry for `cacheKey`, or undefined. `softTags` are implicit tags (route paths) to check too. */
  get(cacheKey: string, softTags: string[]): Promise<CacheEntry | undefined>;
  /** Stores an entry that may still be in progress; a concurrent `get` for the key waits for it. */
  set(cacheKey: string, pendingEntry: Promise<CacheEntry>): Promise<void>;
  /** Syncs tag state from shared storage (called before a request uses the cache). */
  refreshTags(): Promise<void>;
  /** Latest invalidation time (ms) of any of `tags`; 0 = never; Infinity = "check in get". */
  getExpiration(tags: string[]): Promise<number>;
  /** Invalidates `tags` (revalidateTag / revalidatePath / updateTag). */
  updateTags(tags: string[], durations?: { expire?: number }): Promise<void>;
  /**
   * approute extension, optional and synchronous: what `get` would say about the entry's age and
   * staleness, without building its value stream. `undefined` means "ask `get`". The route cache
   * uses it to serve the response it already holds at memory speed when the entry is unchanged.
   * `at` is the caller's reading of the handler's own clock, when it has one (one clock read per hit).
   */
  peek?(
    cacheKey: string,
    softTags: string[],
    at?: number,
  ): { timestamp: number; revalidate: number } | undefined;
}
