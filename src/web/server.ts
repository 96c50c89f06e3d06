/**
 * `next/server` (also `approute/server`): the request/response classes and helpers route handlers
 * and proxies import (R118).
 * @module
 */
import { URLPattern as URLPatternPolyfill } from "urlpattern-polyfill/urlpattern";
import { assertRequestDataAllowed } from "../context/cache-scope.js";
import { currentRequestStore, requireRequestStore } from "../context/request-store.js";

export { NextRequest } from "./next-request.js";
export { NextResponse } from "./next-response.js";
export { NextURL } from "./next-url.js";
export { type UserAgent, userAgent, userAgentFromString } from "./user-agent.js";

/** The platform's `URLPattern` where it exists (Node 23.8+), otherwise a standards polyfill (Node 20). */
export const URLPattern: typeof URLPatternPolyfill = /* @__PURE__ */ platformURLPattern();

// A pure call, so a bundler drops it, and the polyfill with it, when no route uses URLPattern (#6).
function platformURLPattern(): typeof URLPatternPolyfill {
  return (globalThis as { URLPattern?: typeof URLPatternPolyfill }).URLPattern ?? URLPatternPolyfill;
}

/**
 * Not supported: image generation needs a renderer approute does not ship. (Next itself moved it to
 * `next/og`.) Calling or constructing it throws a clear error.
 */
export function ImageResponse(): never {
  throw new Error(
    'ImageResponse is not supported by approute: it renders JSX to an image, which needs "next/og" and React. Generate the image with a library such as @vercel/og or satori and return it in a Response.',
  );
}
export type ImageResponseOptions = Record<string, unknown>;

/**
 * Schedules `task` to run after the response has been sent (R142). Errors are logged, never sent.
 * @example after(() => audit.log("served"))
 */
export function after<T>(task: Promise<T> | (() => T | Promise<T>)): void {
  const store = requireRequestStore("after");
  const tasks = (store.afterTasks ??= []);
  if (typeof task === "function") tasks.push(task as () => unknown);
  else {
    // A promise may settle before the response is sent: mark it handled now, report it after.
    const promise = Promise.resolve(task);
    promise.catch(() => {});
    tasks.push(() => promise);
  }
}

/**
 * Resolves at request time; during a prerender attempt it marks the route dynamic (R71).
 */
export async function connection(): Promise<void> {
  // A cached function may run without a request, so Next refuses it there, "private" included (R104).
  assertRequestDataAllowed("connection()", false, "called");
  const store = currentRequestStore();
  store?.onDynamicAccess?.("connection()");
}

/** The `event` argument of a proxy: `waitUntil` keeps work alive after the response (R132). */
export class NextFetchEvent {
  readonly #pending: Promise<unknown>[] = [];
  readonly sourcePage: string;
  constructor(params: { page: string }) {
    this.sourcePage = params.page;
  }
  waitUntil(promise: Promise<unknown>): void {
    this.#pending.push(promise);
  }
  /** @internal */
  get pending(): Promise<unknown>[] {
    return this.#pending;
  }
  respondWith(): never {
    throw new Error(
      "NextFetchEvent.respondWith() is not supported; return a Response from the proxy instead.",
    );
  }
  passThroughOnException(): never {
    throw new Error("NextFetchEvent.passThroughOnException() is not supported.");
  }
}

/** Types re-exported for `next/server` compatibility. */
export type NextProxy = (
  request: import("./next-request.js").NextRequest,
  event: NextFetchEvent,
) => Response | undefined | null | Promise<Response | undefined | null>;
export type NextMiddleware = NextProxy;
export interface ProxyConfig {
  matcher?:
    | string
    | string[]
    | Array<{ source: string; regexp?: string; has?: unknown[]; missing?: unknown[]; locale?: false }>;
  [key: string]: unknown;
}
export type MiddlewareConfig = ProxyConfig;
