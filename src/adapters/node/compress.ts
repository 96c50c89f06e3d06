/**
 * Response compression as `next start` does it (`compress`, on by default): gzip when the client
 * accepts it and the content type is compressible; `Vary: Accept-Encoding` on every compressible
 * response. Never for `text/event-stream` (R140), bodies that already have a `Content-Encoding`,
 * `Cache-Control: no-transform`, HEAD, 204/304, or bodies under 1 KiB whose length is known.
 * @module
 */
import type { IncomingMessage } from "node:http";
import { createRequire } from "node:module";

/** node:zlib is required on the first compressed response, not at start (~2.5 ms of every start). */
let zlib: typeof import("node:zlib") | undefined;
const loadZlib = () => (zlib ??= createRequire(import.meta.url)("node:zlib") as typeof import("node:zlib"));

type Flat = string[];

/** Bodies below this size are not worth a gzip frame (the `compression` package's default). */
export const COMPRESS_THRESHOLD = 1024;

function find(flat: Flat, name: string): number {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return i;
  return -1;
}

/** Compressible media types: text (except event streams), JSON, JavaScript, XML, SVG, forms. */
export function isCompressible(contentType: string): boolean {
  // hot path: the usual lower-case types are decided without allocating.
  if (contentType.startsWith("application/json") || contentType.startsWith("text/plain")) return true;
  const type = contentType.toLowerCase();
  if (type.startsWith("text/")) return !type.startsWith("text/event-stream");
  return (
    type.includes("json") ||
    type.includes("javascript") ||
    type.includes("xml") ||
    type.startsWith("application/x-www-form-urlencoded") ||
    type.startsWith("image/svg") ||
    type.startsWith("application/wasm") ||
    type.startsWith("font/ttf") ||
    type.startsWith("font/otf")
  );
}

function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers["accept-encoding"];
  if (header === undefined) return false;
  const value = header.toLowerCase();
  const at = value.indexOf("gzip");
  if (at === -1) return false;
  // `gzip;q=0` refuses it.
  const rest = value.slice(at + 4);
  return !/^\s*;\s*q\s*=\s*0(?:\.0*)?\s*(?:,|$)/.test(rest);
}

/**
 * Decides whether to gzip this response, adding `Vary: Accept-Encoding` for compressible types.
 * `length` is the body size when known (-1 for streams).
 */
export function shouldCompress(req: IncomingMessage, status: number, flat: Flat, length: number): boolean {
  const typeAt = find(flat, "content-type");
  if (typeAt === -1 || !isCompressible(flat[typeAt + 1]!)) return false;
  const cacheAt = find(flat, "cache-control");
  if (cacheAt !== -1 && /no-transform/i.test(flat[cacheAt + 1]!)) return false;
  const varyAt = find(flat, "vary");
  if (varyAt === -1) flat.push("vary", "Accept-Encoding");
  else if (!/(?:^|,)\s*(?:accept-encoding|\*)\s*(?:,|$)/i.test(flat[varyAt + 1]!))
    flat[varyAt + 1] = `${flat[varyAt + 1]}, Accept-Encoding`;
  // A 206's Content-Range counts the identity bytes (public/ files answer ranges).
  if (req.method === "HEAD" || status === 204 || status === 206 || status === 304) return false;
  if (find(flat, "content-encoding") !== -1) return false;
  if (length !== -1 && length < COMPRESS_THRESHOLD) return false;
  return acceptsGzip(req);
}

/** Marks `flat` as gzip-encoded with `length` bytes (or unknown length for streams). */
export function markGzip(flat: Flat, length: number): void {
  const at = find(flat, "content-length");
  if (at !== -1) flat.splice(at, 2);
  flat.push("content-encoding", "gzip");
  if (length >= 0) flat.push("content-length", String(length));
}

/** gzips a whole body off the main thread's critical path (libuv threadpool). */
export function gzipBytes(body: Uint8Array): Promise<Buffer> {
  const { gzip } = loadZlib();
  return new Promise((resolve, reject) => gzip(body, (error, out) => (error ? reject(error) : resolve(out))));
}

/** A gzip stream that emits each input chunk as soon as it is written (streams stay incremental). */
export function streamingGzip() {
  const { createGzip, constants } = loadZlib();
  return createGzip({ flush: constants.Z_SYNC_FLUSH });
}
