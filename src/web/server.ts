/**
 * `next/server` (also `approute/server`): the request/response classes and helpers route handlers
 * and proxies import (R118).
 * @module
 */
import { currentRequestStore, requireRequestStore } from "../context/request-store.js";

export { NextRequest } from "./next-request.js";
export { NextResponse } from "./next-response.js";
export { NextURL } from "./next-url.js";

/**
 * Schedules `task` to run after the response has been sent (R142). Errors are logged, never sent.
 * @example after(() => audit.log("served"))
 */
export function after<T>(task: Promise<T> | (() => T | Promise<T>)): void {
  const store = requireRequestStore("after");
  const tasks = (store.afterTasks ??= []);
  tasks.push(typeof task === "function" ? (task as () => unknown) : () => task);
}

/**
 * Resolves at request time; during a prerender attempt it marks the route dynamic (R71).
 */
export async function connection(): Promise<void> {
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
