/**
 * `maxDuration` (R87) as a handler time limit. A route that exports `maxDuration = N` (or inherits
 * next.config `approute.maxDuration`) gets N seconds from the moment its handler is called until its
 * response is complete. Past that, `request.signal` aborts with a `TimeoutError`, and:
 * - no response yet: the client gets a 504 with a short reason;
 * - a streamed body in flight: the stream is terminated, so the client sees a truncated response;
 * and one error line names the route. Whatever the handler does later is dropped (a late Response
 * is discarded, its stream cancelled; a throw of the abort reason is not logged).
 *
 * Routes without a limit never come here: the timer and the wrapped source exist only when the
 * route is configured.
 * @module
 */
import { isFastResponse } from "../web/fast-response.js";
import type { IncomingSource } from "../web/next-request.js";
import { kBody, kReal } from "../web/symbols.js";
import type { Logger } from "./logger.js";
import { textResponse } from "./responses.js";

/** The abort reason `request.signal` carries when a route runs past its `maxDuration`. */
export class MaxDurationExceeded extends DOMException {
  constructor(
    readonly route: string,
    readonly seconds: number,
  ) {
    super(`Route ${route} exceeded its maxDuration of ${seconds} s.`, "TimeoutError");
  }
}

/** True for the deadline's own abort reason (a handler rethrowing it is not a new error). */
export function isMaxDurationExceeded(error: unknown): boolean {
  return error instanceof MaxDurationExceeded;
}

/**
 * An {@link IncomingSource} whose `signal()` also aborts at the deadline. Delegates everything else
 * to the adapter's source (written out member by member: adapters may keep private state).
 */
class DeadlineSource implements IncomingSource {
  readonly method: string;
  readonly header?: (name: string) => string | null;
  readonly limitBody?: (limit: number) => boolean;
  readonly #inner: IncomingSource;
  readonly #controller = new AbortController();
  #linked = false;

  constructor(inner: IncomingSource) {
    this.#inner = inner;
    this.method = inner.method;
    if (inner.header !== undefined) this.header = (name) => inner.header!(name);
    if (inner.limitBody !== undefined) this.limitBody = (limit) => inner.limitBody!(limit);
  }

  get url(): string {
    return this.#inner.url;
  }
  headers(): Headers {
    return this.#inner.headers();
  }
  stream(): ReadableStream<Uint8Array> | null {
    return this.#inner.stream();
  }
  bytes(): Promise<Uint8Array> {
    return this.#inner.bytes();
  }
  afterResponse(task: () => void): void {
    this.#inner.afterResponse(task);
  }

  /** Aborts when the client goes away (the adapter's signal) or when the deadline passes. */
  signal(): AbortSignal {
    const signal = this.#controller.signal;
    if (!this.#linked && !signal.aborted) {
      this.#linked = true;
      const client = this.#inner.signal();
      if (client.aborted) this.#controller.abort(client.reason);
      else client.addEventListener("abort", () => this.#controller.abort(client.reason), { once: true });
    }
    return signal;
  }

  expire(reason: MaxDurationExceeded): void {
    this.#controller.abort(reason);
  }
}

/** What the deadline needs to know about the route. */
export interface DeadlineRoute {
  key: string;
  file: string;
}

/**
 * Runs `run` (the route's handler path) with `seconds` to complete its response. Never rejects when
 * `run` never rejects.
 */
export function withDeadline(
  route: DeadlineRoute,
  seconds: number,
  source: IncomingSource,
  logger: Logger,
  run: (source: IncomingSource) => Response | Promise<Response>,
): Promise<Response> {
  const bounded = new DeadlineSource(source);
  return new Promise<Response>((resolve, reject) => {
    let state: "running" | "streaming" | "finished" | "expired" = "running";
    let expireStream: ((reason: MaxDurationExceeded) => void) | undefined;
    const timer = setTimeout(() => {
      const reason = new MaxDurationExceeded(route.key, seconds);
      if (state === "running") {
        state = "expired";
        bounded.expire(reason);
        logger.error(
          `Route ${route.key} (${route.file}) did not respond within its maxDuration of ${seconds} s: answered 504 and aborted request.signal.`,
        );
        resolve(
          textResponse(
            504,
            `Gateway Timeout: the route handler did not respond within its maxDuration (${seconds} s)`,
          ),
        );
      } else if (state === "streaming") {
        state = "expired";
        bounded.expire(reason);
        logger.error(
          `Route ${route.key} (${route.file}) was still streaming its response at its maxDuration of ${seconds} s: the response was cut off and request.signal aborted.`,
        );
        expireStream?.(reason);
      }
    }, seconds * 1000);

    const onResponse = (response: Response): void => {
      if (state !== "running") {
        discard(response);
        return;
      }
      const body = streamedBody(response);
      if (body === null) {
        state = "finished";
        clearTimeout(timer);
        resolve(response);
        return;
      }
      state = "streaming";
      const reader = body.getReader();
      const finish = () => {
        if (state === "streaming") state = "finished";
        clearTimeout(timer);
      };
      let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
      expireStream = (reason) => {
        controllerRef?.error(reason);
        reader.cancel(reason).catch(() => {});
      };
      const wrapped = new ReadableStream<Uint8Array>({
        start(controller) {
          controllerRef = controller;
        },
        async pull(controller) {
          try {
            const { done, value } = await reader.read();
            if (state === "expired") return;
            if (done) {
              finish();
              controller.close();
            } else controller.enqueue(value);
          } catch (error) {
            if (state === "expired") return;
            finish();
            controller.error(error);
          }
        },
        cancel(reason) {
          finish();
          return reader.cancel(reason);
        },
      });
      resolve(
        new Response(wrapped, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        }),
      );
    };

    let result: Response | Promise<Response>;
    try {
      result = run(bounded);
    } catch (error) {
      clearTimeout(timer);
      reject(error);
      return;
    }
    if (result instanceof Promise)
      result.then(onResponse, (error) => {
        if (state === "expired") return;
        state = "finished";
        clearTimeout(timer);
        reject(error);
      });
    else onResponse(result);
  });
}

/** The body as a stream when the response streams it, or null when it is whole (string, bytes, none). */
export function streamedBody(response: Response): ReadableStream<Uint8Array> | null {
  if (isFastResponse(response) && response[kReal] === undefined) {
    const body = response[kBody];
    return body instanceof ReadableStream ? (response.body as ReadableStream<Uint8Array>) : null;
  }
  return response.body;
}

/** A response that arrived after the deadline: release its stream, send nothing. */
function discard(response: Response): void {
  const body = streamedBody(response);
  if (body !== null && !body.locked) body.cancel().catch(() => {});
}
