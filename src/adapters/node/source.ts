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
    readonly bodyLimit: number,
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

  afterResponse(task: () => void): void {
    const res = this.res;
    if (res.closed) setImmediate(task);
    else res.once("close", task);
  }

  headers(): Headers {
    const headers = new Headers();
    const raw = this.req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      if (name.charCodeAt(0) === 58 /* : */) continue; // HTTP/2 pseudo-headers
      if (isInternalRequestHeader(name)) continue; // R133, R134: clients cannot speak for the proxy
      headers.append(name, raw[i + 1]!);
    }
    return headers;
  }

  stream(): ReadableStream<Uint8Array> | null {
    const req = this.req;
    const limit = this.bodyLimit;
    let received = 0;
    return new ReadableStream<Uint8Array>({
      start(controller) {
        req.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > limit) {
            controller.error(new PayloadTooLargeError(limit));
            req.destroy();
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
