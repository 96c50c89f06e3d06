/**
 * `next/cache` (also `approute/cache`): `"use cache"` support (`cacheLife`, `cacheTag`), on-demand
 * revalidation (`revalidateTag`, `revalidatePath`, `updateTag`, `refresh`), `unstable_cache`,
 * `unstable_noStore`, `io`, `navigation`, `prefetch` and the deprecated `unstable_cacheLife` and
 * `unstable_cacheTag` (R117), plus the cache handler types for custom `cacheHandlers`.
 * @module
 */
export {
  cacheLife,
  cacheTag,
  io,
  navigation,
  prefetch,
  refresh,
  revalidatePath,
  revalidateTag,
  type UnstableCacheOptions,
  unstable_cache,
  unstable_cacheLife,
  unstable_cacheTag,
  unstable_noStore,
  updateTag,
} from "./api.js";
export type { CacheLifeInput, CacheLifeProfiles } from "./profiles.js";
export type { CacheEntry, CacheHandler } from "./types.js";
/** @internal Called by code the `"use cache"` build transform emits; not for direct use. */
export { __cached } from "./use-cache.js";
