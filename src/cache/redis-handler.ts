/**
 * The shared cache handler on Redis (node-redis 5): entries and tag invalidations live in Redis, so
 * every instance pointed at the same server sees one cache and `revalidateTag` on any instance is
 * honoured by all on their next read. If Redis goes away, calls fail fast (no offline queue) and are
 * served uncached; one warning is logged per outage and the client reconnects by itself.
 * @module
 */
import { createRequire } from "node:module";
import {
  bytesOf,
  type EntryMeta,
  preciseNow,
  streamOf,
  type TagState,
  tagStateFor,
  tagVerdict,
} from "./entry.js";
import { NEVER } from "./profiles.js";
import type { CacheEntry, CacheHandler } from "./types.js";

export interface RedisHandlerOptions {
  /** `redis://[user:pass@]host:port[/db]`. */
  url: string;
  /** Prefix of every key (default `approute:`), so several apps can share one Redis. */
  keyPrefix?: string;
  logger: { warn(message: string): void; info?(message: string): void };
  now?: () => number;
  /** How long the very first calls wait for the initial connection (ms). */
  initialWaitMs?: number;
}

// Cold start (#6): node-redis is loaded only when a Redis handler is created. A static import cost
// every `approute start` about 60% of its start-up time (measured ~0.8 of 1.4 s under the profiler),
// apps without Redis included. node-redis is CommonJS, so a synchronous require keeps this API sync.
const requireRedis = (): typeof import("redis") => createRequire(import.meta.url)("redis");

const MAX_RECONNECT_DELAY_MS = 2000;
/** Redis keys expire a little after the entry does, so a stale read can still be served near the edge. */
const EXPIRY_SLACK_S = 60;

function encode(meta: EntryMeta, bytes: Uint8Array): Buffer {
  const head = Buffer.from(JSON.stringify(meta));
  const out = Buffer.allocUnsafe(4 + head.byteLength + bytes.byteLength);
  out.writeUInt32BE(head.byteLength, 0);
  head.copy(out, 4);
  out.set(bytes, 4 + head.byteLength);
  return out;
}

function decode(buffer: Buffer): { meta: EntryMeta; bytes: Uint8Array } | undefined {
  if (buffer.byteLength < 4) return undefined;
  const length = buffer.readUInt32BE(0);
  if (4 + length > buffer.byteLength) return undefined;
  const meta = JSON.parse(buffer.subarray(4, 4 + length).toString()) as EntryMeta;
  return { meta, bytes: new Uint8Array(buffer.subarray(4 + length)) };
}

function parseTagState(value: Buffer | string | null | undefined): TagState | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.toString();
  const colon = text.indexOf(":");
  return { stale: Number(text.slice(0, colon)), expired: Number(text.slice(colon + 1)) };
}

/** Hides credentials when the URL is logged. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return "(invalid URL)";
  }
}

/** Creates the Redis handler and starts connecting in the background. */
export function createRedisHandler(options: RedisHandlerOptions): CacheHandler & { close(): Promise<void> } {
  const prefix = options.keyPrefix ?? "approute:";
  const now = options.now ?? preciseNow;
  const where = displayUrl(options.url);
  const tagsKey = `${prefix}tags`;
  let down = false;
  let closed = false;

  const { createClient, RESP_TYPES } = requireRedis();
  const client = createClient({
    url: options.url,
    // Fail fast while disconnected instead of queueing: requests are served uncached meanwhile.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries: number) =>
        Math.min(50 * 2 ** Math.min(retries, 6), MAX_RECONNECT_DELAY_MS),
    },
  });
  const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });

  function failed(error: unknown): void {
    if (closed || down) return;
    down = true;
    options.logger.warn(
      `Redis cache at ${where} is unavailable (${(error as Error)?.message || String(error)}); requests are served uncached until it is back. Reconnecting in the background.`,
    );
  }
  client.on("error", failed);
  client.on("ready", () => {
    if (down) options.logger.info?.(`Redis cache at ${where} is back; caching resumed.`);
    down = false;
  });

  // The first calls wait briefly for the initial connection so a fresh instance starts cached.
  let initial: Promise<void> | undefined = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.initialWaitMs ?? 2000);
    timer.unref();
    client.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
    client.once("error", () => {
      clearTimeout(timer);
      resolve();
    });
  }).then(() => {
    initial = undefined;
  });
  client.connect().catch(failed);

  async function usable(): Promise<boolean> {
    if (initial !== undefined) await initial;
    return client.isReady && !closed;
  }

  return {
    async get(cacheKey, softTags) {
      if (!(await usable())) return undefined;
      try {
        const [raw, softStates] = await Promise.all([
          binary.get(`${prefix}e:${cacheKey}`),
          softTags.length > 0 ? binary.hmGet(tagsKey, softTags) : Promise.resolve([]),
        ]);
        if (raw === null || raw === undefined) return undefined;
        const decoded = decode(raw as Buffer);
        if (decoded === undefined) return undefined;
        const { meta, bytes } = decoded;
        const at = now();
        if (at - meta.timestamp > meta.expire * 1000) return undefined;
        let verdict: "fresh" | "stale" | "expired" = "fresh";
        if (softTags.length > 0) {
          const states = softStates as Array<Buffer | null>;
          verdict = tagVerdict(
            meta.timestamp,
            softTags,
            (tag) => parseTagState(states[softTags.indexOf(tag)]),
            at,
          );
        }
        if (verdict !== "expired" && meta.tags.length > 0) {
          const states = (await binary.hmGet(tagsKey, meta.tags)) as Array<Buffer | null>;
          const own = tagVerdict(
            meta.timestamp,
            meta.tags,
            (tag) => parseTagState(states[meta.tags.indexOf(tag)]),
            at,
          );
          if (own !== "fresh") verdict = own;
        }
        if (verdict === "expired") return undefined;
        return { ...meta, revalidate: verdict === "stale" ? -1 : meta.revalidate, value: streamOf(bytes) };
      } catch (error) {
        failed(error);
        return undefined;
      }
    },
    async set(cacheKey, pendingEntry) {
      const entry: CacheEntry = await pendingEntry;
      const bytes = await bytesOf(entry.value);
      if (!(await usable())) return;
      const { value: _value, ...meta } = entry;
      try {
        const key = `${prefix}e:${cacheKey}`;
        if (meta.expire >= NEVER) await client.set(key, encode(meta, bytes));
        else await client.set(key, encode(meta, bytes), { EX: Math.ceil(meta.expire) + EXPIRY_SLACK_S });
      } catch (error) {
        failed(error);
      }
    },
    async refreshTags() {},
    async getExpiration() {
      // Tag state is read from Redis inside get(), so every instance sees invalidations at once.
      return Number.POSITIVE_INFINITY;
    },
    async updateTags(tags, durations) {
      if (tags.length === 0 || !(await usable())) return;
      const state = tagStateFor(now(), durations);
      const value = `${state.stale}:${state.expired}`;
      const fields: Record<string, string> = {};
      for (const tag of tags) fields[tag] = value;
      try {
        await client.hSet(tagsKey, fields);
      } catch (error) {
        failed(error);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        // Graceful: lets writes already sent finish; a client that is not connected is just dropped.
        if (client.isReady) await client.close();
        else client.destroy();
      } catch {
        client.destroy();
      }
    },
  };
}
