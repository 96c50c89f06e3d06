/**
 * Writes a Fetch `Response` to a Node `ServerResponse`. Lightweight responses with a string, bytes or
 * null body go out as one `writeHead` + `end` with a `Content-Length` (A7); streams are pumped with
 * backpressure, and an error mid-stream terminates the connection (R26).
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Writable } from "node:stream";
import { bodyContentType, type FastResponse, isFastResponse, isSharedBody } from "../../web/fast-response.js";
import { kBody, kHeaders, kInit, kReal, kSetCookie, kStatus, kWriterMemo } from "../../web/symbols.js";
import { COMPRESS_THRESHOLD, gzipBytes, markGzip, shouldCompress, streamingGzip } from "./compress.js";

type Flat = string[];

/** Header names approute uses internally; never sent to a client (A4, R60, R93). */
const INTERNAL_RESPONSE_HEADERS = new Set(["x-next-cache-tags"]);

function isInternal(name: string): boolean {
  return (
    name.charCodeAt(0) === 120 /* x */ &&
    (name.startsWith("x-middleware-") || INTERNAL_RESPONSE_HEADERS.has(name))
  );
}

function flattenHeaders(headers: Headers, out: Flat): void {
  for (const [name, value] of headers) {
    if (!isInternal(name)) out.push(name, value);
  }
}

/**
 * Frozen header records approute reuses for many responses (`Response.json()`'s, a cached route's
 * per cache state), flattened once. Frozen, so the copy can never go stale.
 */
const flatRecords = new WeakMap<object, Flat>();

/** Flattens a `HeadersInit` without building a Headers object. Returns false if it cannot (duplicates). */
function flattenInit(init: HeadersInit | undefined, out: Flat): boolean {
  if (init === undefined || init === null) return true;
  if (Array.isArray(init)) return false;
  const proto = Object.getPrototypeOf(init);
  // Plain records first: reading the global Headers would load undici for every app (#6).
  if (proto !== Object.prototype && proto !== null && init instanceof Headers) {
    flattenHeaders(init, out);
    return true;
  }
  const reused = out.length === 0 && Object.isFrozen(init);
  if (reused) {
    const flat = flatRecords.get(init);
    if (flat !== undefined) {
      for (let i = 0; i < flat.length; i++) out.push(flat[i]!);
      return true;
    }
  }
  if (!flattenRecord(init as Record<string, string>, out)) return false;
  if (reused) flatRecords.set(init, out.slice());
  return true;
}

function flattenRecord(init: Record<string, string>, out: Flat): boolean {
  for (const key in init) {
    const name = key.toLowerCase();
    for (let i = 0; i < out.length; i += 2) if (out[i] === name) return false;
    const value = init[key];
    if (value === undefined) continue;
    if (!isInternal(name)) insertSorted(out, name, String(value));
  }
  return true;
}

/**
 * Adds a header keeping `flat` in the order a Fetch `Headers` iterates (names sorted), so the
 * lightweight path puts the same bytes on the wire as a real Response would.
 */
function insertSorted(flat: Flat, name: string, value: string): void {
  let i = flat.length;
  while (i > 0 && flat[i - 2]! > name) i -= 2;
  if (i === flat.length) flat.push(name, value);
  else flat.splice(i, 0, name, value);
}

function hasHeader(flat: Flat, name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}

const NO_BODY_STATUS = new Set([204, 304]);

/**
 * What the writer keeps in a response's `kWriterMemo` slot (a cached entry's, per cache state): the
 * complete header list it sent with a string body, Content-Length and Vary included. The next hit
 * with the same body and compress setting hands it to Node as is (#6). Only string bodies under
 * the gzip threshold are kept, whose header block depends on nothing in the request.
 */
interface Wire {
  body: string;
  compress: boolean;
  flat: Flat;
}

/**
 * Sends `response`. Returns a promise only when the body has to be awaited (streams, blobs).
 * hot path: for a FastResponse with a string/bytes body this is headers flattening plus two calls.
 */
export function writeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
  compress = false,
): void | Promise<void> {
  if (isFastResponse(response) && response[kReal] === undefined) {
    const headers = response[kHeaders];
    const memo = response[kWriterMemo];
    if (memo !== undefined && headers === undefined && response[kSetCookie] === undefined) {
      const wire = memo.value as Wire | undefined;
      const body = response[kBody];
      if (wire !== undefined && wire.body === body && wire.compress === compress) {
        head(res, response[kStatus], response[kInit]?.statusText, wire.flat);
        res.end(body);
        return;
      }
    }
    const flat: Flat = [];
    if (headers !== undefined) flattenHeaders(headers, flat);
    else if (!flattenInit(response[kInit]?.headers, flat)) {
      flat.length = 0;
      flattenHeaders(response.headers, flat);
    } else {
      const cookies = response[kSetCookie];
      if (cookies !== undefined) for (const value of cookies) insertSorted(flat, "set-cookie", value);
    }
    return writeBody(req, res, response, flat, response[kBody], compress);
  }
  const flat: Flat = [];
  flattenHeaders(response.headers, flat);
  return writeStream(req, res, response.status, response.statusText, flat, response.body, compress);
}

/** The gzip of each shared body (a cached route's), made once and kept while the body lives. */
const gzipOfShared = new WeakMap<Uint8Array, Promise<Buffer>>();

function gzipShared(body: Uint8Array, bytes: Buffer): Promise<Buffer> {
  let zipped = gzipOfShared.get(body);
  if (zipped === undefined) {
    zipped = gzipBytes(bytes);
    gzipOfShared.set(body, zipped);
    zipped.catch(() => gzipOfShared.delete(body));
  }
  return zipped;
}

/**
 * Sends a whole body: gzipped when `compress` and the response qualifies, else as is. `shared` is
 * the body it came from when that body never changes, so its gzip is made once.
 */
function endWith(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  statusText: string | undefined,
  flat: Flat,
  bytes: string | Buffer,
  compress: boolean,
  shared?: Uint8Array,
): void | Promise<void> {
  const length = typeof bytes === "string" ? Buffer.byteLength(bytes) : bytes.byteLength;
  if (compress && shouldCompress(req, status, flat, length)) {
    const buffer = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
    const zipped = shared === undefined ? gzipBytes(buffer) : gzipShared(shared, buffer);
    return zipped.then((out) => {
      markGzip(flat, out.byteLength);
      head(res, status, statusText, flat);
      res.end(out);
    });
  }
  if (!hasHeader(flat, "content-length")) flat.push("content-length", String(length));
  head(res, status, statusText, flat);
  res.end(bytes);
}

function writeBody(
  req: IncomingMessage,
  res: ServerResponse,
  response: FastResponse,
  flat: Flat,
  body: unknown,
  compress: boolean,
): void | Promise<void> {
  const status = response[kStatus];
  const statusText = response[kInit]?.statusText;
  if (body === null || body === undefined) {
    if (!NO_BODY_STATUS.has(status) && !hasHeader(flat, "content-length")) flat.push("content-length", "0");
    head(res, status, statusText, flat);
    res.end();
    return;
  }
  if (typeof body === "string") {
    if (!hasHeader(flat, "content-type")) insertSorted(flat, "content-type", "text/plain;charset=UTF-8");
    const length = Buffer.byteLength(body);
    if (compress) {
      if (length >= COMPRESS_THRESHOLD) return endWith(req, res, status, statusText, flat, body, compress);
      shouldCompress(req, status, flat, length); // adds Vary for a compressible type; never gzips this
    }
    if (!hasHeader(flat, "content-length")) flat.push("content-length", String(length));
    const memo = response[kWriterMemo];
    if (memo !== undefined && response[kHeaders] === undefined && response[kSetCookie] === undefined)
      memo.value = { body, compress, flat } satisfies Wire;
    head(res, status, statusText, flat);
    res.end(body);
    return;
  }
  if (body instanceof Uint8Array || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes =
      body instanceof ArrayBuffer
        ? Buffer.from(body)
        : Buffer.from(
            (body as ArrayBufferView).buffer,
            (body as ArrayBufferView).byteOffset,
            (body as ArrayBufferView).byteLength,
          );
    return endWith(
      req,
      res,
      status,
      statusText,
      flat,
      bytes,
      compress,
      isSharedBody(body) ? body : undefined,
    );
  }
  if (body instanceof URLSearchParams) {
    if (!hasHeader(flat, "content-type")) insertSorted(flat, "content-type", bodyContentType(body)!);
    return endWith(req, res, status, statusText, flat, body.toString(), compress);
  }
  if (body instanceof Blob) {
    return body.arrayBuffer().then((buffer) => {
      if (!hasHeader(flat, "content-type") && body.type) insertSorted(flat, "content-type", body.type);
      return endWith(req, res, status, statusText, flat, Buffer.from(buffer), compress);
    });
  }
  if (body instanceof ReadableStream)
    return writeStream(req, res, status, statusText ?? "", flat, body, compress);
  // Anything else (an async iterable, …): let the real Response decide what it means.
  const real = (response as unknown as Response).body;
  return writeStream(req, res, status, statusText ?? "", flat, real, compress);
}

function head(res: ServerResponse, status: number, statusText: string | undefined, flat: Flat): void {
  if (statusText) res.writeHead(status, statusText, flat);
  else res.writeHead(status, flat);
}

function writeStream(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  statusText: string,
  flat: Flat,
  body: ReadableStream<Uint8Array> | null,
  compress = false,
): void | Promise<void> {
  if (body === null) {
    if (!NO_BODY_STATUS.has(status) && !hasHeader(flat, "content-length")) flat.push("content-length", "0");
    head(res, status, statusText, flat);
    res.end();
    return;
  }
  const gzipped = compress && shouldCompress(req, status, flat, -1);
  if (gzipped) markGzip(flat, -1);
  head(res, status, statusText, flat);
  if (req.method === "HEAD" || NO_BODY_STATUS.has(status)) {
    void body.cancel().catch(() => {});
    res.end();
    return;
  }
  res.flushHeaders();
  if (!gzipped) return pump(body.getReader(), res, res);
  const gz = streamingGzip();
  gz.on("error", () => res.destroy());
  gz.pipe(res);
  return pump(body.getReader(), gz, res);
}

/** Copies `reader` into `out` (the response, or a gzip stream piped into it) with backpressure. */
async function pump(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  out: Writable,
  res: ServerResponse,
): Promise<void> {
  const onClose = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!out.write(value)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            out.off("drain", go);
            res.off("close", go);
            resolve();
          };
          out.once("drain", go);
          res.once("close", go);
        });
        if (res.destroyed) return;
      }
    }
    out.end();
  } catch (error) {
    // R26: the status is already on the wire; cut the connection so the client sees a truncated body.
    const gone = res.destroyed;
    if (out !== res) out.destroy();
    res.destroy();
    // The body stream failed while the client was still there: the caller logs it (next start
    // logs "failed to pipe response" too). A stream that fails because the client left is not news.
    if (!gone) throw error;
  } finally {
    res.off("close", onClose);
  }
}
