/**
 * Describes a Node `IncomingMessage` to the runtime without building any Web object up front: the
 * URL is a string join, headers are built from `rawHeaders` on first read, the body is read straight
 * from the socket, and the abort signal only exists once someone asks for it (R49).
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { splitTarget } from "../../core/url.js";
import { PayloadTooLargeError } from "../../web/errors.js";
import { type IncomingSource, isInternalRequestHeader } from "../../web/next-request.js";

export class NodeSource implements IncomingSource {
  readonly method: string;
  #url: string | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly origin: string,
    /** Largest body in bytes; a route's `bodySizeLimit` replaces it through {@link limitBody}. */
    public bodyLimit: number,
    /** The host name the server was told to listen on (`-H`), `localhost` when none (R47). */
    readonly hostname = "localhost",
  ) {
    this.method = req.method ?? "GET";
  }

  get url(): string {
    if (this.#url === undefined) {
      const target = this.req.url ?? "/";
      // R42: the origin is the server's own; only the scheme follows x-forwarded-proto.
      const proto = this.req.headers["x-forwarded-proto"];
      const origin =
        typeof proto === "string" && proto.includes("https")
          ? this.origin.replace(/^http:/, "https:")
          : this.origin;
      if (target.charCodeAt(0) === 47) this.#url = origin + target;
      else {
        // Absolute-form target: keep the path, never the client's authority (A5).
        const split = splitTarget(target);
        this.#url = origin + (split ? split.pathname + split.search : "/");
      }
    }
    return this.#url;
  }

  /** Applies a route's own body limit; false when the declared `Content-Length` already exceeds it (A6). */
  limitBody(limit: number): boolean {
    this.bodyLimit = limit;
    return !exceedsDeclared(this.req, limit);
  }

  afterResponse(task: () => void): void {
    const res = this.res;
    if (res.closed) setImmediate(task);
    else res.once("close", task);
  }

  header(name: string): string | null {
    const value = this.req.headers[name];
    if (value === undefined) return name.startsWith("x-forwarded-") ? this.added(name) : null;
    return Array.isArray(value) ? value.join(name === "cookie" ? "; " : ", ") : value;
  }

  /**
   * The request headers as next start hands them to handlers (R47): Node's view of them, so a
   * repeated `User-Agent`, `Host`, `Content-Type`, … keeps its first value, other repeats join with
   * ", " and several Cookie lines with "; " (RFC 6265 §5.4); then the `X-Forwarded-*` headers Next
   * adds when the client sent none — handlers read the client address from `x-forwarded-for`,
   * since `request.ip` is gone (R48).
   */
  headers(): Headers {
    const headers = new Headers();
    const incoming = this.req.headers;
    for (const name in incoming) {
      if (name.charCodeAt(0) === 58 /* : */) continue; // HTTP/2 pseudo-headers
      if (isInternalRequestHeader(name)) continue; // R133, R134: clients cannot speak for the proxy
      const value = incoming[name];
      if (typeof value === "string") headers.append(name, value);
      else if (value !== undefined) for (const item of value) headers.append(name, item);
    }
    for (const name of FORWARDED) {
      if (incoming[name] !== undefined) continue;
      const value = this.added(name);
      if (value !== null) headers.append(name, value);
    }
    return headers;
  }

  /**
   * What Next puts in an `X-Forwarded-*` header the client did not send (R47): the request's `Host`
   * for `X-Forwarded-Host` — the listen host name when the request has none (an HTTP/1.0 request) —
   * and the connection's own value for the others.
   */
  protected added(name: string): string | null {
    if (name === "x-forwarded-host") {
      const host = this.req.headers.host;
      if (host !== undefined) return host;
    }
    return this.forwarded(name);
  }

  /**
   * The connection's own `X-Forwarded-*` value, whatever the request headers say: what a header set
   * the proxy replaced gets where it lacks one (R47, R128). The host is the listen host name as
   * given, without a port, as `next start -H` (`localhost` without `-H`).
   */
  forwarded(name: string): string | null {
    const req = this.req;
    const socket = req.socket as (typeof req.socket & { encrypted?: boolean }) | undefined;
    const https = socket?.encrypted === true;
    switch (name) {
      case "x-forwarded-host":
        return this.hostname;
      case "x-forwarded-port": {
        const port = socket?.localPort;
        return port !== undefined ? String(port) : https ? "443" : "80";
      }
      case "x-forwarded-proto":
        return https ? "https" : "http";
      case "x-forwarded-for":
        return socket?.remoteAddress ?? null;
    }
    return null;
  }

  stream(): ReadableStream<Uint8Array> | null {
    const req = this.req;
    const limit = this.bodyLimit;
    let received = 0;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        if (exceedsDeclared(req, limit)) {
          controller.error(new PayloadTooLargeError(limit));
          return;
        }
        req.on("data", (chunk: Buffer) => {
          if (received > limit) return; // already refused; the 413 closes the connection
          received += chunk.length;
          if (received > limit) {
            // Stop here but keep the socket: the handler's error becomes a 413 the client can read.
            controller.error(new PayloadTooLargeError(limit));
            req.pause();
            return;
          }
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) req.pause();
        });
        req.once("end", () => controller.close());
        req.once("error", (error) => controller.error(error));
        req.once("aborted", () => controller.error(new Error("The client aborted the request body.")));
      },
      pull() {
        req.resume();
      },
      cancel() {
        req.destroy();
      },
    });
  }

  bytes(): Promise<Uint8Array> {
    const req = this.req;
    const limit = this.bodyLimit;
    return new Promise((resolve, reject) => {
      if (exceedsDeclared(req, limit)) return reject(new PayloadTooLargeError(limit));
      if (req.readableEnded) return resolve(new Uint8Array(0));
      const chunks: Buffer[] = [];
      let received = 0;
      const onData = (chunk: Buffer) => {
        received += chunk.length;
        if (received > limit) {
          cleanup();
          reject(new PayloadTooLargeError(limit));
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
        resolve(new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onClose = () => {
        if (!req.readableEnded)
          onError(new Error("The client closed the connection before sending the whole body."));
      };
      const cleanup = () => {
        req.off("data", onData);
        req.off("end", onEnd);
        req.off("error", onError);
        req.off("close", onClose);
      };
      req.on("data", onData);
      req.on("end", onEnd);
      req.on("error", onError);
      req.on("close", onClose);
    });
  }

  signal(): AbortSignal {
    const controller = new AbortController();
    const res = this.res;
    if (res.writableFinished) return controller.signal;
    if (res.destroyed || this.req.socket?.destroyed) {
      controller.abort();
      return controller.signal;
    }
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    return controller.signal;
  }
}

const FORWARDED = ["x-forwarded-host", "x-forwarded-port", "x-forwarded-proto", "x-forwarded-for"] as const;

/** A declared `Content-Length` above `limit`: refuse before reading a byte (A6). */
function exceedsDeclared(req: IncomingMessage, limit: number): boolean {
  const length = req.headers["content-length"];
  return length !== undefined && Number(length) > limit;
}

/** A host name with an optional port, nothing else: what an `X-Forwarded-Host` may carry. */
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * The source used with `trustProxy`: `request.url` takes its host from the first `X-Forwarded-Host`
 * (when it is a plain host) and its scheme from the first `X-Forwarded-Proto`. Without `trustProxy`
 * neither header — nor `Host` — can steer the origin (R42, A5).
 *
 * What the trusted proxy said is the connection's own value: when a proxy.ts header set lacks
 * `X-Forwarded-Host`/`-Proto` (a fresh set), the handler gets the trusted ones there, not the
 * listen host name and the socket's scheme, and its `request.url` keeps the trusted scheme (R128).
 */
export class ProxiedNodeSource extends NodeSource {
  #proxiedUrl: string | undefined;

  override forwarded(name: string): string | null {
    if (name === "x-forwarded-host") {
      const host = nearestValue(this.req.headers["x-forwarded-host"]);
      if (host !== undefined && HOST.test(host)) return host;
    } else if (name === "x-forwarded-proto") {
      const proto = nearestValue(this.req.headers["x-forwarded-proto"]);
      if (proto === "https" || proto === "http") return proto;
    }
    return super.forwarded(name);
  }

  override get url(): string {
    if (this.#proxiedUrl === undefined) {
      const base = super.url;
      const headers = this.req.headers;
      const host = nearestValue(headers["x-forwarded-host"]);
      const proto = nearestValue(headers["x-forwarded-proto"]);
      const path = base.slice(base.indexOf("/", base.indexOf("//") + 2));
      const scheme = proto === "https" || proto === "http" ? proto : base.slice(0, base.indexOf(":"));
      const authority =
        host !== undefined && HOST.test(host)
          ? host
          : base.slice(base.indexOf("//") + 2, base.length - path.length);
      this.#proxiedUrl = `${scheme}://${authority}${path}`;
    }
    return this.#proxiedUrl;
  }
}

/**
 * The value the nearest proxy set: the last of a comma-separated list (or of repeated lines). A proxy
 * that appends to what it received leaves the client's own value first, where a client could pick
 * it; one that replaces the header leaves a single value. As Fastify reads it.
 */
function nearestValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[value.length - 1] : value;
  if (text === undefined) return undefined;
  return text
    .slice(text.lastIndexOf(",") + 1)
    .trim()
    .toLowerCase();
}
