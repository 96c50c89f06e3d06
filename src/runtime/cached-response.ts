/**
 * A cached GET response (R74, R92, R141): status, headers and body bytes, plus what the cache needs
 * (tags, time, lifetimes). Converts to and from the cache handler's `CacheEntry` stream (so ISR
 * entries can live in Redis) and to the plain data inlined into the build output. Decides what may be
 * stored at all (issue #7 item 2, CVE-2025-49826) and builds the headers clients see (R75, R93, R95).
 * @module
 */
import type { CacheEntry } from "../cache/types.js";
import { FastResponse, shareBody, type WriterMemo } from "../web/fast-response.js";
import { kWriterMemo } from "../web/symbols.js";

/** "Never" in cache entries, as Next writes it (R101). */
export const NEVER_SECONDS = 0xfffffffe;

export interface CachedResponse {
  status: number;
  /** Lower-case names, in order; internal and `set-cookie` headers never appear. */
  headers: Array<[string, string]>;
  body: Uint8Array;
  /** Implicit tags (R94) plus tags collected while rendering. */
  tags: string[];
  /** When it was produced (ms, the app's clock). */
  timestamp: number;
  /** Seconds until stale; false = until invalidated (R81). */
  revalidate: number | false;
  /** Seconds until gone (R154 `expireTime`). */
  expire: number;
}

/** What the build inlines for a prerendered entry: the body as text or base64. */
export interface SerializedCachedResponse {
  pathname: string;
  status: number;
  headers: Array<[string, string]>;
  text?: string;
  base64?: string;
  tags: string[];
  timestamp: number;
  revalidate: number | false;
  expire: number;
}

/**
 * Statuses that may be stored: 200 and the ones HTTP calls cacheable by default that a route means to
 * be permanent. Never 204, 206, 304, temporary redirects, 5xx (CVE-2025-49826).
 */
export const CACHEABLE_STATUS: ReadonlySet<number> = new Set([200, 203, 300, 301, 308, 404, 410]);

/** Response headers that never reach a client or a cache entry (R93, A4). */
const INTERNAL_HEADERS = new Set([
  "x-next-cache-tags",
  "x-middleware-set-cookie",
  "x-middleware-rewrite",
  "x-middleware-next",
  "x-middleware-override-headers",
  "x-nextjs-cache",
]);

/** Why a response cannot be stored, or undefined when it can. */
export function uncacheableReason(status: number, headers: Headers): string | undefined {
  if (!CACHEABLE_STATUS.has(status)) return `status ${status} is not cacheable`;
  if (headers.has("set-cookie")) return "it sets a cookie";
  const control = headers.get("cache-control");
  if (control !== null && /(?:^|,)\s*(?:private|no-store)\s*(?:,|$)/i.test(control))
    return `it sends Cache-Control: ${control}`;
  return undefined;
}

/**
 * Reads a handler's response fully (R141). Rejects if the body stream fails, so a broken stream is
 * never stored.
 */
export async function readResponse(response: Response): Promise<{
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
  tags: string[];
  reason?: string;
}> {
  const source = response.headers;
  const reason = uncacheableReason(response.status, source);
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Array<[string, string]> = [];
  let tags: string[] = [];
  for (const [name, value] of source) {
    if (name === "x-next-cache-tags") tags = value.split(",").filter((t) => t !== "");
    if (INTERNAL_HEADERS.has(name) || name.startsWith("x-middleware-request-")) continue;
    if (name === "set-cookie") continue;
    headers.push([name, value]);
  }
  return { status: response.status, headers, body, tags, reason };
}

/** Cache-Control for a cached response without one of its own (R75). */
export function cacheControlFor(revalidate: number | false, expire: number): string {
  if (revalidate === false || revalidate >= NEVER_SECONDS) return "s-maxage=31536000";
  return expire > revalidate
    ? `s-maxage=${revalidate}, stale-while-revalidate=${expire - revalidate}`
    : `s-maxage=${revalidate}`;
}

/** The `Cache-Control` draft-mode and uncacheable responses get (R69). */
export const PRIVATE_NO_STORE = "private, no-cache, no-store, max-age=0, must-revalidate";

export type CacheState = "HIT" | "MISS" | "STALE";

/** Header records per cache state, built once per entry so serving a hit allocates only the response. */
export interface ServedEntry {
  entry: CachedResponse;
  byState: Record<CacheState, Record<string, string>>;
  /** The body as a string when it is small, typed and valid UTF-8 (see {@link textBody}). */
  text: string | undefined;
  /** Per cache state, where a writer keeps what it derived for this entry (see {@link WriterMemo}). */
  memos: Record<CacheState, WriterMemo>;
}

/**
 * Largest body also kept as a string: below the size the Node writer starts to gzip at, and small
 * enough that copying it into the header block costs less than a second buffer in the write.
 */
const TEXT_BODY_MAX = 1024;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A small body with a content type that is valid UTF-8, as a string: Node sends a string body in
 * one write with the header block, where a byte body goes out as a second buffer — about 10% less
 * CPU per request for a static JSON answer (#6). The bytes on the wire are the same.
 */
function textBody(entry: CachedResponse, base: Record<string, string>): string | undefined {
  const body = entry.body;
  if (base["content-type"] === undefined || body.byteLength === 0 || body.byteLength > TEXT_BODY_MAX)
    return undefined;
  try {
    return strictUtf8.decode(body);
  } catch {
    return undefined;
  }
}

/** Prepares an entry for serving. */
export function prepareEntry(entry: CachedResponse): ServedEntry {
  const base: Record<string, string> = {};
  for (const [name, value] of entry.headers) base[name] = value;
  if (base["cache-control"] === undefined)
    base["cache-control"] = cacheControlFor(entry.revalidate, entry.expire);
  const byState = {} as Record<CacheState, Record<string, string>>;
  // Frozen: served for every hit, and writers may keep a flattened copy.
  for (const state of ["HIT", "MISS", "STALE"] as const)
    byState[state] = Object.freeze({ ...base, "x-nextjs-cache": state });
  const text = textBody(entry, base);
  // Served on every hit and never changed: a writer may keep its gzip (see the Node writer).
  if (text === undefined) shareBody(entry.body);
  const memos = { HIT: { value: undefined }, MISS: { value: undefined }, STALE: { value: undefined } };
  return { entry, byState, text, memos };
}

/** The response for one request served from `served`. hot path for cached routes. */
export function respondFrom(served: ServedEntry, state: CacheState): Response {
  const entry = served.entry;
  const response = new FastResponse(served.text ?? (entry.body as Uint8Array<ArrayBuffer>), {
    status: entry.status,
    headers: served.byState[state],
  });
  response[kWriterMemo] = served.memos[state];
  return response as unknown as Response;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function seconds(value: number | false): number {
  return value === false ? NEVER_SECONDS : value;
}

/** Turns an entry into the cache handler's shape: `[u32 meta length][meta JSON][body]`. */
export function toCacheEntry(entry: CachedResponse): CacheEntry {
  const meta = encoder.encode(JSON.stringify({ v: 1, status: entry.status, headers: entry.headers }));
  const bytes = new Uint8Array(4 + meta.byteLength + entry.body.byteLength);
  new DataView(bytes.buffer).setUint32(0, meta.byteLength);
  bytes.set(meta, 4);
  bytes.set(entry.body, 4 + meta.byteLength);
  return {
    value: new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    }),
    tags: entry.tags,
    stale: 0,
    timestamp: entry.timestamp,
    expire: entry.expire,
    revalidate: seconds(entry.revalidate),
  };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Reads an entry back from a cache handler. Returns undefined for anything that is not a route
 * response written by {@link toCacheEntry}. A negative `revalidate` (R120: marked stale) stays -1.
 */
export async function fromCacheEntry(entry: CacheEntry): Promise<CachedResponse | undefined> {
  const bytes = await readAll(entry.value);
  if (bytes.byteLength < 4) return undefined;
  const metaLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  if (4 + metaLength > bytes.byteLength) return undefined;
  let meta: { v?: number; status?: number; headers?: Array<[string, string]> };
  try {
    meta = JSON.parse(decoder.decode(bytes.subarray(4, 4 + metaLength)));
  } catch {
    return undefined;
  }
  if (meta.v !== 1 || typeof meta.status !== "number" || !Array.isArray(meta.headers)) return undefined;
  return {
    status: meta.status,
    headers: meta.headers,
    body: bytes.slice(4 + metaLength),
    tags: entry.tags,
    timestamp: entry.timestamp,
    revalidate: entry.revalidate >= NEVER_SECONDS ? false : entry.revalidate,
    expire: entry.expire,
  };
}

/** For the build output: text when the body is valid UTF-8, base64 otherwise. */
export function serializeEntry(pathname: string, entry: CachedResponse): SerializedCachedResponse {
  const out: SerializedCachedResponse = {
    pathname,
    status: entry.status,
    headers: entry.headers,
    tags: entry.tags,
    timestamp: entry.timestamp,
    revalidate: entry.revalidate,
    expire: entry.expire,
  };
  try {
    // ignoreBOM: a leading byte-order mark is part of the body, not a hint to drop.
    out.text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(entry.body);
  } catch {
    out.base64 = bytesToBase64(entry.body);
  }
  return out;
}

/** The inverse of {@link serializeEntry}. Works on every runtime (no Buffer). */
export function deserializeEntry(data: SerializedCachedResponse): CachedResponse {
  return {
    status: data.status,
    headers: data.headers,
    body: data.text !== undefined ? encoder.encode(data.text) : base64ToBytes(data.base64 ?? ""),
    tags: data.tags,
    timestamp: data.timestamp,
    revalidate: data.revalidate,
    expire: data.expire,
  };
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.byteLength; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
