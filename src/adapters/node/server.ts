/**
 * A Node HTTP server around an app: listen with bounded timeouts and connection counts, print where,
 * drain and shut down gracefully.
 * @module
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { consoleLogger, type Logger } from "../../runtime/logger.js";
import { createListener, type Handler } from "./listener.js";

/** Default request body limit: 10 MiB (A6). Configurable per server and per route (`bodySizeLimit`). */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

/** The limits `serve()` applies when an option is not given. Node's own defaults are looser. */
export const SERVER_DEFAULTS = {
  /** Time allowed to receive the request line and headers (slowloris guard). Node: 60 s. */
  headersTimeout: 30_000,
  /** Time allowed to receive the whole request, body included (slow-body guard). Node: 300 s. */
  requestTimeout: 300_000,
  /** Idle time before a keep-alive connection is closed. Node: 5 s. */
  keepAliveTimeout: 5_000,
  /** Concurrent connections; further ones are closed on accept. Node: unlimited. */
  maxConnections: 10_000,
  /** Longest request target; above it the answer is 414. */
  maxUrlLength: 8 * 1024,
  /** Largest request line + headers in bytes; above it the answer is 431. Node: 16 KiB. */
  maxHeaderSize: 16 * 1024,
  /** How long a graceful shutdown waits for in-flight requests before closing their connections. */
  shutdownTimeout: 10_000,
} as const;

export interface ServeOptions {
  port?: number;
  hostname?: string;
  /** Largest request body in bytes (default 10 MiB); routes may set their own (`bodySizeLimit`). */
  bodyLimit?: number;
  logger?: Logger;
  /** Milliseconds to receive the request headers; 408 and close after (default 30 s). */
  headersTimeout?: number;
  /** Milliseconds to receive the whole request; 408 and close after (default 300 s; 0 = none). */
  requestTimeout?: number;
  /** Milliseconds an idle keep-alive connection stays open (default 5 s). */
  keepAliveTimeout?: number;
  /** Most concurrent connections (default 10 000). */
  maxConnections?: number;
  /** Longest request target in bytes (default 8 KiB); longer ones get 414. */
  maxUrlLength?: number;
  /** Largest request head in bytes (default 16 KiB); larger heads get 431. */
  maxHeaderSize?: number;
  /** Grace period of `close()` in milliseconds (default 10 s). */
  shutdownTimeout?: number;
  /**
   * Trust `X-Forwarded-Host` / `X-Forwarded-Proto` from the peer (set this only behind a proxy that
   * overwrites them). Without it `request.url` uses the server's own origin whatever the client sends.
   */
  trustProxy?: boolean;
}

export interface RunningServer {
  server: Server;
  port: number;
  hostname: string;
  url: string;
  /**
   * Graceful stop: stop accepting, let in-flight requests finish (their connections close after the
   * response), close idle keep-alive connections, and after `graceMs` (default `shutdownTimeout`)
   * close whatever is left. Resolves `{ forced }` once every connection is gone; safe to call twice.
   */
  close(graceMs?: number): Promise<{ forced: boolean }>;
}

/**
 * The origin printed as where the server is ready: unspecified and loopback hosts read as
 * `localhost`, as `next start` prints them.
 */
export function originFor(hostname: string | undefined, port: number): string {
  const local =
    !hostname || hostname === "0.0.0.0" || hostname === "::" || hostname === "::1" || /^127\./.test(hostname);
  const host = local ? "localhost" : hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}

/**
 * The origin of `request.url` (R42), as next start builds it: its listen host name (`localhost`
 * without one), with loopback names (`127.x.x.x`, `::1`) read as `localhost` as NextURL reads them.
 * An unspecified address stays as given — `-H 0.0.0.0` gives `http://0.0.0.0:<port>`, `-H ::`
 * gives `http://[::]:<port>` — so set `-H` to the public name, or use `trustProxy`.
 */
export function requestOriginFor(hostname: string | undefined, port: number): string {
  const local = !hostname || hostname === "localhost" || hostname === "::1" || LOOPBACK_V4.test(hostname);
  const host = local ? "localhost" : hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}

const LOOPBACK_V4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Serves `getApp()` (a getter, so a dev server can swap the app) on `port` (0 = any free port).
 * Resolves once listening. Timeouts and limits are Node's own server options, so they cost nothing
 * per request.
 */
export function serve(getApp: () => Handler, options: ServeOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? consoleLogger;
  const headersTimeout = options.headersTimeout ?? SERVER_DEFAULTS.headersTimeout;
  const requestTimeout = options.requestTimeout ?? SERVER_DEFAULTS.requestTimeout;
  const server = createServer({
    headersTimeout,
    // Node requires requestTimeout ≥ headersTimeout unless it is 0 (off).
    requestTimeout: requestTimeout === 0 ? 0 : Math.max(requestTimeout, headersTimeout),
    keepAliveTimeout: options.keepAliveTimeout ?? SERVER_DEFAULTS.keepAliveTimeout,
    maxHeaderSize: options.maxHeaderSize ?? SERVER_DEFAULTS.maxHeaderSize,
    // Node checks the two timeouts on this interval (default 30 s, which would let a slow client
    // hold a socket up to twice the timeout); a quarter of the timeout, within 50 ms–1 s.
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(headersTimeout / 4))),
  });
  server.maxConnections = options.maxConnections ?? SERVER_DEFAULTS.maxConnections;
  // Node keeps only the first 1000 header lines and silently drops the rest, so a client could push
  // a header that a front proxy appends out of the handler's sight. No count limit instead: the
  // head is bounded by maxHeaderSize (431 above it).
  server.maxHeadersCount = 0;
  // R18: CONNECT is not a route method. Without this listener Node would drop the socket unanswered.
  server.on("connect", (_req, socket) => {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  const shutdownTimeout = options.shutdownTimeout ?? SERVER_DEFAULTS.shutdownTimeout;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, options.hostname, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      // The origin is only known once bound; no request is accepted before this callback runs.
      const origin = originFor(options.hostname, address.port);
      server.on(
        "request",
        createListener(getApp, {
          origin: requestOriginFor(options.hostname, address.port),
          hostname: options.hostname,
          bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
          logger,
          trustProxy: options.trustProxy === true,
          maxUrlLength: options.maxUrlLength ?? SERVER_DEFAULTS.maxUrlLength,
        }),
      );
      const hostname = options.hostname ?? "localhost";
      let closing: Promise<{ forced: boolean }> | undefined;
      resolve({
        server,
        port: address.port,
        hostname,
        url: origin,
        close: (graceMs = shutdownTimeout) => {
          closing ??= drain(server, graceMs);
          return closing;
        },
      });
    });
  });
}

/**
 * Stops `server` gracefully. Only runs at shutdown, so the request path carries no bookkeeping for
 * it: requests that arrive on open keep-alive connections while draining are answered with
 * `Connection: close`, idle connections are swept until none is left, and the grace timer closes
 * the rest.
 */
function drain(server: Server, graceMs: number): Promise<{ forced: boolean }> {
  return new Promise((resolve) => {
    let forced = false;
    server.prependListener("request", (_req, res) => {
      res.shouldKeepAlive = false;
    });
    // A connection becomes idle when its in-flight response ends; sweep for those until closed.
    const sweep = setInterval(() => server.closeIdleConnections(), 20);
    const deadline = setTimeout(() => {
      forced = true;
      server.closeAllConnections();
    }, graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve({ forced });
    });
    server.closeIdleConnections();
  });
}
