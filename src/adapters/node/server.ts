/**
 * A Node HTTP server around an app: listen, print where, shut down gracefully.
 * @module
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { consoleLogger, type Logger } from "../../runtime/logger.js";
import { createListener, type Handler } from "./listener.js";

/** Default request body limit: 10 MiB (A6). Configurable per server. */
export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;

export interface ServeOptions {
  port?: number;
  hostname?: string;
  bodyLimit?: number;
  logger?: Logger;
  /** Time allowed for the request headers (slowloris guard). */
  headersTimeout?: number;
  /** Time allowed for the whole request. */
  requestTimeout?: number;
  /** Idle time before a keep-alive connection is closed. */
  keepAliveTimeout?: number;
}

export interface RunningServer {
  server: Server;
  port: number;
  hostname: string;
  url: string;
  close(): Promise<void>;
}

/** The origin used for `request.url`: Next uses `localhost` unless a hostname is configured (R42). */
export function originFor(hostname: string | undefined, port: number): string {
  // Next reports unspecified and loopback hosts as `localhost` (its NextURL does the same).
  const local =
    !hostname || hostname === "0.0.0.0" || hostname === "::" || hostname === "::1" || /^127\./.test(hostname);
  const host = local ? "localhost" : hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}

/**
 * Serves `getApp()` (a getter, so a dev server can swap the app) on `port` (0 = any free port).
 * Resolves once listening.
 */
export function serve(getApp: () => Handler, options: ServeOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? consoleLogger;
  const server = createServer({
    headersTimeout: options.headersTimeout ?? 60_000,
    requestTimeout: options.requestTimeout ?? 300_000,
    keepAliveTimeout: options.keepAliveTimeout ?? 5_000,
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, options.hostname, () => {
      server.off("error", reject);
      const address = server.address() as AddressInfo;
      // The origin is only known once bound; no request is accepted before this callback runs.
      const origin = originFor(options.hostname, address.port);
      server.on(
        "request",
        createListener(getApp, { origin, bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT, logger }),
      );
      const hostname = options.hostname ?? "localhost";
      resolve({
        server,
        port: address.port,
        hostname,
        url: origin,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
