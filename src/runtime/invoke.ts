/**
 * Running one route handler (spec §2, §3): enter the request store, call the handler with
 * `(request, { params })`, and turn whatever comes back — a Response, a thrown navigation error, any
 * other throw, a non-Response — into the response to send.
 * @module
 */
import { type RequestStore, requestStorage } from "../context/request-store.js";
import type { RouteHandler } from "../core/dispatch.js";
import { PayloadTooLargeError } from "../web/errors.js";
import { FastResponse, isFastResponse } from "../web/fast-response.js";
import { HttpFallbackError, RedirectError } from "../web/navigation.js";
import type { IncomingSource, NextRequest } from "../web/next-request.js";
import { MIDDLEWARE_HEADERS } from "../web/next-response.js";
import { kHeaders, kInit } from "../web/symbols.js";
import { applyCookieMutations } from "./cookie-merge.js";
import { isMaxDurationExceeded, streamedBody } from "./deadline.js";
import type { RequestErrorReporter } from "./instrumentation.js";
import type { Logger } from "./logger.js";
import { emptyResponse, textResponse } from "./responses.js";

/** What invoking needs to know about the route besides the handler. */
export interface InvokeTarget {
  key: string;
  file: string;
  /**
   * True when the build proved the route never reads the request store: the handler is called
   * without `AsyncLocalStorage.run`, which on Node 20 would switch on async hooks process-wide.
   */
  bare?: boolean;
}

export interface InvokeOptions {
  logger: Logger;
  authInterrupts: boolean;
  /** The app's cache runtime, handed to `next/cache` through the request store. */
  cacheRuntime?: unknown;
  /** Secret that `draftMode()` compares the `__prerender_bypass` cookie with (R68). */
  previewId?: string;
  /** `approute dev`: development cookie attributes for draft mode (R68). */
  dev?: boolean;
  /** `onRequestError` of instrumentation.ts: hears of every failure before its 500 goes out. */
  reportError?: RequestErrorReporter;
}

/** Own key `params` only (R34), always a real Promise (R35). */
function createContext(params: Record<string, string | string[]>): {
  params: Promise<Record<string, string | string[]>>;
} {
  return { params: Promise.resolve(params) };
}

/**
 * Calls `handler` and returns the response to send. `init` adds to the request store (the route cache
 * uses it for prerender fills). Never throws and never rejects: every failure
 * becomes an empty 500 and a log line naming the route file (R24, R25).
 */
export function invokeHandler(
  target: InvokeTarget,
  handler: RouteHandler,
  request: NextRequest,
  params: Record<string, string | string[]>,
  source: IncomingSource,
  options: InvokeOptions,
  init?: Partial<RequestStore>,
): Response | Promise<Response> {
  const store: RequestStore = {
    request,
    route: target.key,
    phase: "action",
    cacheRuntime: options.cacheRuntime,
    previewId: options.previewId,
  };
  if (options.dev === true) store.dev = true;
  if (init !== undefined) Object.assign(store, init);
  let result: unknown;
  try {
    result =
      target.bare === true && init === undefined
        ? handler(request, createContext(params))
        : requestStorage.run(store, handler, request, createContext(params));
  } catch (error) {
    return settleFailure(fromError(error, target, request, store, options), store, source, options);
  }
  if (
    result instanceof Promise ||
    (typeof result === "object" &&
      result !== null &&
      typeof (result as PromiseLike<unknown>).then === "function")
  ) {
    return Promise.resolve(result).then(
      (value) => settleFailure(fromValue(value, target, request, store, options), store, source, options),
      (error) => settleFailure(fromError(error, target, request, store, options), store, source, options),
    );
  }
  return settleFailure(fromValue(result, target, request, store, options), store, source, options);
}

/** {@link settle} once a failure has been reported (only then is the answer a promise). */
function settleFailure(
  response: Response | Promise<Response>,
  store: RequestStore,
  source: IncomingSource,
  options: InvokeOptions,
): Response | Promise<Response> {
  return response instanceof Promise
    ? response.then((value) => settle(value, store, source, options))
    : settle(response, store, source, options);
}

/**
 * The 500 of a failed handler. With an `onRequestError` it is held until the hook has settled, as
 * next start does; the error then is the one the handler threw, or one naming what it returned.
 */
function failure(
  error: unknown,
  target: InvokeTarget,
  request: NextRequest,
  options: InvokeOptions,
): Response | Promise<Response> {
  const report = options.reportError;
  if (report === undefined) return emptyResponse(500);
  return report(error, request, { routerKind: "App Router", routePath: target.key, routeType: "route" }).then(
    () => emptyResponse(500),
  );
}

/** Runs the revalidations the handler requested (R112) before the response goes out, then settles. */
function settle(
  response: Response,
  store: RequestStore,
  source: IncomingSource,
  options: InvokeOptions,
): Response | Promise<Response> {
  const pending = store.pendingRevalidations;
  if (pending === undefined || pending.length === 0) return afterSettle(response, store, source, options);
  store.pendingRevalidations = undefined;
  return Promise.all(pending.map((task) => task())).then(
    () => afterSettle(response, store, source, options),
    (error) => {
      options.logger.error(`Revalidation requested by route ${store.route} failed:`, error);
      return afterSettle(response, store, source, options);
    },
  );
}

function afterSettle(
  response: Response,
  store: RequestStore,
  source: IncomingSource,
  options: InvokeOptions,
): Response {
  const tasks = store.afterTasks;
  if (tasks !== undefined && tasks.length > 0) {
    source.afterResponse(() => runAfterTasks(store, tasks, options.logger));
  }
  return response;
}

function runAfterTasks(store: RequestStore, tasks: Array<() => unknown>, logger: Logger): void {
  store.phase = "after";
  for (const task of tasks) {
    requestStorage.run(store, () => {
      try {
        Promise.resolve(task()).catch((error) =>
          logger.error(`Error in after() callback of route ${store.route}:`, error),
        );
      } catch (error) {
        logger.error(`Error in after() callback of route ${store.route}:`, error);
      }
    });
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function fromValue(
  value: unknown,
  target: InvokeTarget,
  request: NextRequest,
  store: RequestStore,
  options: InvokeOptions,
): Response | Promise<Response> {
  // isFastResponse first: reading the global Response would load undici for every app (#6).
  if (!isFastResponse(value) && !(value instanceof Response)) {
    const message = `No response is returned from route handler '${target.file}'. Expected a Response object but received '${describe(value)}' (method: ${request.method}, url: ${request.url}). Export a function that returns a Response (for example Response.json(...)).`;
    options.logger.error(message);
    return failure(new Error(message), target, request, options);
  }
  // Only NextResponse helpers set these headers, and they always build a Headers object.
  const headers = isFastResponse(value)
    ? (value[kHeaders] ?? (isHeadersObject(value[kInit]?.headers) ? value.headers : undefined))
    : value.headers;
  if (headers !== undefined) {
    if (headers.has(MIDDLEWARE_HEADERS.rewrite)) {
      const message = `NextResponse.rewrite() was used in the route handler '${target.file}'; rewrites are only supported in proxy/middleware.`;
      options.logger.error(message);
      return failure(new Error(message), target, request, options);
    }
    if (headers.has(MIDDLEWARE_HEADERS.next)) {
      const message = `NextResponse.next() was used in the route handler '${target.file}'; next() is only supported in proxy/middleware.`;
      options.logger.error(message);
      return failure(new Error(message), target, request, options);
    }
    if (headers.has(MIDDLEWARE_HEADERS.setCookie)) headers.delete(MIDDLEWARE_HEADERS.setCookie);
  }
  const response = store.mutatedCookies === undefined ? value : applyCookieMutations(value, store);
  return options.reportError === undefined
    ? response
    : reportingBodyFailure(response, target, request, options);
}

/**
 * With an `onRequestError`: a streamed body that fails once its status is out is reported too, as
 * next start does ("failed to pipe response", the stream's error as the cause), before the
 * connection is cut (R26). A stream that fails because the client left is not reported.
 */
function reportingBodyFailure(
  response: Response,
  target: InvokeTarget,
  request: NextRequest,
  options: InvokeOptions,
): Response {
  const body = streamedBody(response);
  if (body === null) return response;
  const reader = body.getReader();
  const wrapped = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (!request.signal.aborted)
          await options.reportError!(new Error("failed to pipe response", { cause: error }), request, {
            routerKind: "App Router",
            routePath: target.key,
            routeType: "route",
          });
        controller.error(error);
        return;
      }
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  // A FastResponse, as the handler's own: the global Response would load undici (#6).
  return new FastResponse(wrapped, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  }) as unknown as Response;
}

function fromError(
  error: unknown,
  target: InvokeTarget,
  request: NextRequest,
  store: RequestStore,
  options: InvokeOptions,
): Response | Promise<Response> {
  if (error instanceof RedirectError) {
    // R30: a server-action-looking POST gets 303 instead of 307.
    const status =
      error.status === 307 && request.method === "POST" && request.headers.has("next-action")
        ? 303
        : error.status;
    const response = emptyResponse(status, { location: error.url });
    return store.mutatedCookies === undefined ? response : applyCookieMutations(response, store);
  }
  if (error instanceof HttpFallbackError && (error.status === 404 || options.authInterrupts)) {
    const response = emptyResponse(error.status);
    return store.mutatedCookies === undefined ? response : applyCookieMutations(response, store);
  }
  if (error instanceof PayloadTooLargeError) {
    return textResponse(413, `Payload Too Large: the request body exceeds ${error.limit} bytes`, {
      connection: "close",
    });
  }
  // The handler rethrowing its maxDuration abort: the client already has its 504 and the log its line.
  if (isMaxDurationExceeded(error)) return emptyResponse(500);
  options.logger.error(`Error in route handler ${target.file} (${request.method} ${target.key}):`, error);
  return failure(error, target, request, options);
}

/** True for a `Headers` instance, without reading the global `Headers` for plain records. */
function isHeadersObject(init: HeadersInit | undefined): boolean {
  if (init === undefined || init === null || typeof init !== "object") return false;
  const proto = Object.getPrototypeOf(init);
  return proto !== Object.prototype && proto !== null && !Array.isArray(init) && init instanceof Headers;
}
