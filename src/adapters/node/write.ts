/**
 * Writes a Fetch `Response` to a Node `ServerResponse`. Lightweight responses with a string, bytes or
 * null body go out as one `writeHead` + `end` with a `Content-Length` (A7); streams are pumped with
 * backpressure, and an error mid-stream terminates the connection (R26).
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { bodyContentType, type FastResponse, isFastResponse } from "../../web/fast-response.js";
import { kBody, kHeaders, kInit, kReal, kStatus } from "../../web/symbols.js";

type Flat = string[];

/** Header names approute uses internally; never sent to a client (A4, R60, R93). */
const INTERNAL_RESPONSE_HEADERS = new Set([
  "x-middleware-set-cookie",
  "x-middleware-rewrite",
  "x-middleware-next",
  "x-middleware-override-headers",
  "x-next-cache-tags",
]);

function isInternal(name: string): boolean {
  return (
    name.charCodeAt(0) === 120 /* x */ &&
    (INTERNAL_RESPONSE_HEADERS.has(name) || name.startsWith("x-middleware-request-"))
  );
}

function flattenHeaders(headers: Headers, out: Flat): void {
  for (const [name, value] of headers) {
    if (!isInternal(name)) out.push(name, value);
  }
}

/** Flattens a `HeadersInit` without building a Headers object. Returns false if it cannot (duplicates). */
function flattenInit(init: HeadersInit | undefined, out: Flat): boolean {
  if (init === undefined || init === null) return true;
  if (init instanceof Headers) {
    flattenHeaders(init, out);
    return true;
  }
  if (Array.isArray(init)) return false;
  for (const key in init) {
    const name = key.toLowerCase();
    for (let i = 0; i < out.length; i += 2) if (out[i] === name) return false;
    const value = (init as Record<string, string>)[key];
    if (value === undefined) continue;
    if (!isInternal(name)) out.push(name, String(value));
  }
  return true;
}

function hasHeader(flat: Flat, name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}

const NO_BODY_STATUS = new Set([204, 304]);

/**
 * Sends `response`. Returns a promise only when the body has to be awaited (streams, blobs).
 * hot path: for a FastResponse with a string/bytes body this is headers flattening plus two calls.
 */
export function writeResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
): void | Promise<void> {
  if (isFastResponse(response) && response[kReal] === undefined) {
    const flat: Flat = [];
    const headers = response[kHeaders];
    if (headers !== undefined) flattenHeaders(headers, flat);
    else if (!flattenInit(response[kInit]?.headers, flat)) {
      flat.length = 0;
      flattenHeaders(response.headers, flat);
    }
    return writeBody(req, res, response, flat, response[kBody]);
  }
  const flat: Flat = [];
  flattenHeaders(response.headers, flat);
  return writeStream(req, res, response.status, response.statusText, flat, response.body);
}

function writeBody(
  req: IncomingMessage,
  res: ServerResponse,
  response: FastResponse,
  flat: Flat,
  body: unknown,
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
    if (!hasHeader(flat, "content-type")) flat.push("content-type", "text/plain;charset=UTF-8");
    if (!hasHeader(flat, "content-length")) flat.push("content-length", String(Buffer.byteLength(body)));
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
    if (!hasHeader(flat, "content-length")) flat.push("content-length", String(bytes.byteLength));
    head(res, status, statusText, flat);
    res.end(bytes);
    return;
  }
  if (body instanceof URLSearchParams) {
    const text = body.toString();
    if (!hasHeader(flat, "content-type")) flat.push("content-type", bodyContentType(body)!);
    if (!hasHeader(flat, "content-length")) flat.push("content-length", String(Buffer.byteLength(text)));
    head(res, status, statusText, flat);
    res.end(text);
    return;
  }
  if (body instanceof Blob) {
    return body.arrayBuffer().then((buffer) => {
      if (!hasHeader(flat, "content-type") && body.type) flat.push("content-type", body.type);
      if (!hasHeader(flat, "content-length")) flat.push("content-length", String(buffer.byteLength));
      head(res, status, statusText, flat);
      res.end(Buffer.from(buffer));
    });
  }
  if (body instanceof ReadableStream) return writeStream(req, res, status, statusText ?? "", flat, body);
  // Anything else (an async iterable, …): let the real Response decide what it means.
  const real = (response as unknown as Response).body;
  return writeStream(req, res, status, statusText ?? "", flat, real);
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
): void | Promise<void> {
  if (body === null) {
    if (!NO_BODY_STATUS.has(status) && !hasHeader(flat, "content-length")) flat.push("content-length", "0");
    head(res, status, statusText, flat);
    res.end();
    return;
  }
  head(res, status, statusText, flat);
  if (req.method === "HEAD" || NO_BODY_STATUS.has(status)) {
    void body.cancel().catch(() => {});
    res.end();
    return;
  }
  res.flushHeaders();
  return pump(body.getReader(), res);
}

async function pump(reader: ReadableStreamDefaultReader<Uint8Array>, res: ServerResponse): Promise<void> {
  const onClose = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off("drain", go);
            res.off("close", go);
            resolve();
          };
          res.once("drain", go);
          res.once("close", go);
        });
        if (res.destroyed) return;
      }
    }
    res.end();
  } catch {
    // R26: the status is already on the wire; cut the connection so the client sees a truncated body.
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}
