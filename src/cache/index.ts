/**
 * `next/cache` (also `approute/cache`). The caching issue (#4) fills this module in; until then it
 * exports nothing, so imports of its names fail at load with a clear "does not provide an export".
 * @module
 */
export {};
