/**
 * The Node request listener: describe the request lazily, hand it to the app, write what comes back.
 * Nothing here throws into Node's HTTP machinery: every failure becomes a logged 500 (or a cut
 * connection once headers are out).
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isMaxDurationExceeded } from "../../runtime/deadline.js";
import type { Logger } from "../../runtime/logger.js";
import { NodeSource, ProxiedNodeSource } from "./source.js";
import { writeResponse } from "./write.js";

/** RFC 9112 §3.2 / RFC 3986 §3.2.2: a reg-name or IP literal with an optional port, or nothing. */
const VALID_HOST = /^(?:[\w.~!$&'()*+,;=%-]+|\[[\d.:a-f]+\])?(?::\d*)?$/i;

/** The part of an App the listener needs. */
export interface Handler {
  handle(source: NodeSource, target: string): Response | Promise<Response>;
  /** The exact-path shortcut for fresh cached GETs (App.hit). */
  readonly hit?: (method: string, target: string, cookie: string | undefined) => Response | undefined;
  /** `next.config` `compress` (default true, as `next start`). */
  readonly config?: { readonly compress?: boolean };
  /** The largest per-route body limit, when a route raises it above the server's. */
  readonly maxBodyLimit?: number;
}

export interface ListenerOptions {
  /** `http://host:port` used to build `request.url` (R42). */
  origin: string;
  /** The host name the server listens on as configured (`-H`; default `localhost`): X-Forwarded-Host when a request has no Host (R47). */
  hostname?: string;
  /** Largest request body in bytes (A6). */
  bodyLimit: number;
  logger: Logger;
  /** Longest request target in bytes; longer ones get 414 (default 8 KiB). */
  maxUrlLength?: number;
  /** Take the origin from `X-Forwarded-Host`/`-Proto` (only behind a proxy that sets them). */
  trustProxy?: boolean;
}

/** Creates the `(req, res)` listener for `http.createServer`. */
export function createListener(
  getApp: () => Handler,
  options: ListenerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { origin, bodyLimit, logger } = options;
  const hostname = options.hostname || "localhost";
  const maxUrlLength = options.maxUrlLength ?? 8192;
  // Chosen once: the trusted-proxy variant only differs in how it builds `request.url`.
  const Source = options.trustProxy ? ProxiedNodeSource : NodeSource;

  function fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      // A stream cut off at its maxDuration has been logged by the deadline already.
      if (isMaxDurationExceeded(error)) return void res.destroy();
      const req = res.req;
      logger.error(
        `The response body of ${req.method} ${req.url} failed after its status was sent; the connection was cut:`,
        error,
      );
    } else logger.error("Failed to send a response:", error);
    if (!res.headersSent) {
      res.writeHead(500, { "content-length": "0" });
      res.end();
    } else {
      res.destroy();
    }
  }

  function send(req: IncomingMessage, res: ServerResponse, response: Response, compress: boolean): void {
    try {
      const pending = writeResponse(req, res, response, compress);
      if (pending !== undefined) pending.catch((error) => fail(res, error));
    } catch (error) {
      fail(res, error);
    }
  }

  // The last Host value that passed the check: clients repeat theirs, so most requests skip the regex.
  let checkedHost: string | undefined;

  // hot path: no closures per request unless the handler is async.
  return function listener(req: IncomingMessage, res: ServerResponse): void {
    // HTTP/0.9-style request lines (no version) and malformed Host values are refused; Node's
    // parser already refuses everything else malformed. The Host is never used for URLs (A5).
    const host = req.headers.host;
    if (req.httpVersionMajor !== 1) {
      refuse(res, 400, "Bad Request: malformed request line or Host header");
      return;
    }
    if (host !== undefined && host !== checkedHost) {
      if (!VALID_HOST.test(host)) {
        refuse(res, 400, "Bad Request: malformed request line or Host header");
        return;
      }
      checkedHost = host;
    }
    // RFC 9112 §6.1, §6.3: a final coding other than chunked leaves the body length unknown (400);
    // a coding before chunked is one we would not decode (501); Transfer-Encoding in HTTP/1.0 is
    // faulty framing (400). Node's parser lets these through; a front end may read them otherwise.
    const coding = req.headers["transfer-encoding"];
    if (coding !== undefined && (req.httpVersionMinor === 0 || coding.toLowerCase() !== "chunked")) {
      const status = req.httpVersionMinor !== 0 && /,[ \t]*chunked$/i.test(coding) ? 501 : 400;
      refuse(
        res,
        status,
        status === 501
          ? "Not Implemented: the only transfer coding accepted is chunked"
          : "Bad Request: the request body's framing is invalid",
      );
      return;
    }
    // A6: refuse a body we know is too large before reading any of it. A route may raise its own
    // limit (`bodySizeLimit`); the app then checks it after routing.
    const length = req.headers["content-length"];
    const app = getApp();
    if (length !== undefined && Number(length) > bodyLimit && !(Number(length) <= (app.maxBodyLimit ?? 0))) {
      refuse(res, 413, `Payload Too Large: the request body exceeds ${bodyLimit} bytes`);
      return;
    }
    const target = req.url ?? "/";
    if (target.length > maxUrlLength) {
      refuse(res, 414, `URI Too Long: the request target exceeds ${maxUrlLength} bytes`);
      return;
    }
    const compress = app.config?.compress === true;
    if (app.hit !== undefined) {
      const response = app.hit(req.method!, target, req.headers.cookie);
      if (response !== undefined) {
        send(req, res, response, compress);
        return;
      }
    }
    let result: Response | Promise<Response>;
    try {
      result = app.handle(new Source(req, res, origin, bodyLimit, hostname), target);
    } catch (error) {
      fail(res, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (response) => send(req, res, response, compress),
        (error) => fail(res, error),
      );
    } else {
      send(req, res, result, compress);
    }
  };
}

/** Answers a request refused before routing with a short reason, and closes the connection. */
function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(Buffer.byteLength(reason)),
    connection: "close",
  });
  res.end(reason);
}
