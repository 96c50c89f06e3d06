/**
 * The Node request listener: describe the request lazily, hand it to the app, write what comes back.
 * Nothing here throws into Node's HTTP machinery: every failure becomes a logged 500 (or a cut
 * connection once headers are out).
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../runtime/logger.js";
import { NodeSource } from "./source.js";
import { writeResponse } from "./write.js";

/** The part of an App the listener needs. */
export interface Handler {
  handle(source: NodeSource, target: string): Response | Promise<Response>;
  /** `next.config` `compress` (default true, as `next start`). */
  readonly config?: { readonly compress?: boolean };
}

export interface ListenerOptions {
  /** `http://host:port` used to build `request.url` (R42). */
  origin: string;
  /** Largest request body in bytes (A6). */
  bodyLimit: number;
  logger: Logger;
}

/** Creates the `(req, res)` listener for `http.createServer`. */
export function createListener(
  getApp: () => Handler,
  options: ListenerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { origin, bodyLimit, logger } = options;

  function fail(res: ServerResponse, error: unknown): void {
    logger.error("Failed to send a response:", error);
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

  // hot path: no closures per request unless the handler is async.
  return function listener(req: IncomingMessage, res: ServerResponse): void {
    // A6: refuse a body we know is too large before reading any of it.
    const length = req.headers["content-length"];
    if (length !== undefined && Number(length) > bodyLimit) {
      res.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close" });
      res.end(`Payload Too Large: the request body exceeds ${bodyLimit} bytes`);
      return;
    }
    const target = req.url ?? "/";
    let result: Response | Promise<Response>;
    const app = getApp();
    const compress = app.config?.compress === true;
    try {
      result = app.handle(new NodeSource(req, res, origin, bodyLimit), target);
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
