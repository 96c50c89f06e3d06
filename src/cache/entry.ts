/**
 * Helpers for `CacheEntry` values (R119): bytes ↔ streams, and the tag state both built-in handlers
 * use to decide whether an entry was invalidated.
 * @module
 */
import type { CacheEntry } from "./types.js";

/** A fresh one-chunk stream over `bytes` (handlers must return a new stream per `get`, R120). */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.byteLength > 0) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** Reads a whole stream into one Uint8Array. */
export async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** An entry without its stream, as the handlers keep it next to the bytes. */
export type EntryMeta = Omit<CacheEntry, "value">;

/** When a tag was revalidated: stale from `stale` (ms), gone from `expired` (ms). */
export interface TagState {
  stale: number;
  expired: number;
}

/**
 * What tag invalidations mean for an entry made at `timestamp`: `"expired"` (a miss), `"stale"`
 * (serve once more and regenerate) or `"fresh"`. Only invalidations made at or after the entry's
 * creation count, so a regenerated entry is not caught by the same `revalidateTag` again.
 */
export function tagVerdict(
  timestamp: number,
  tags: Iterable<string>,
  lookup: (tag: string) => TagState | undefined,
  now: number,
): "fresh" | "stale" | "expired" {
  let verdict: "fresh" | "stale" = "fresh";
  for (const tag of tags) {
    const state = lookup(tag);
    if (state === undefined || state.stale < timestamp) continue;
    if (state.expired <= now) return "expired";
    verdict = "stale";
  }
  return verdict;
}

/** The tag state `updateTags(tags, { expire })` records at `now`. */
export function tagStateFor(now: number, durations?: { expire?: number }): TagState {
  // No durations: expired at once. Durations without `expire`: stale, never expired by this call.
  if (durations === undefined) return { stale: now, expired: now };
  const expire = durations.expire;
  if (typeof expire !== "number") return { stale: now, expired: Number.POSITIVE_INFINITY };
  return { stale: now, expired: now + (expire > 0 ? expire * 1000 : 0) };
}

/**
 * The default clock of entries and tag invalidations: milliseconds like `Date.now()`, but with
 * sub-millisecond precision. An entry rendered in the same millisecond as an invalidation would
 * otherwise count as invalidated (its timestamp equals the tag's), and miss again.
 */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
