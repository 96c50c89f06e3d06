/**
 * The one AsyncLocalStorage that carries per-request state (see docs/architecture.md). It is entered
 * once per request, by the runtime, around the handler call; `next/headers`, `after()` and the cache
 * read it. Reading it outside a request is an error that says so — never stale data.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import type { ResponseCookies } from "../deps/cookies.js";
import type { NextRequest } from "../web/next-request.js";

/** What phase of the request the code runs in; decides what `cookies()` may do (R65, R67). */
export type RequestPhase = "action" | "after" | "prerender" | "proxy";

export interface RequestStore {
  /** The request the handler received. */
  request: NextRequest;
  /** Route key, e.g. `/users/[id]`, or the proxy file name. */
  route: string;
  phase: RequestPhase;
  /** Lazily built read-only view for `headers()`. */
  headersView?: Headers;
  /** Lazily built mutable jar for `cookies()`; seeded from the request. */
  cookieJar?: ResponseCookies;
  /** Names touched through `cookies().set/delete`, in order (R61). */
  mutatedCookies?: string[];
  /** Work registered with `after()`; run once the response is sent (R142). */
  afterTasks?: Array<() => unknown>;
  /** Tags and paths to revalidate once the handler returns (R112). */
  pendingRevalidations?: Array<() => Promise<void>>;
  /** The build's draft-mode secret (R68); unguessable, never sent except by `enable()`. */
  previewId?: string;
  /** Set under `approute dev`: draft-mode cookies drop `Secure` and use `SameSite=Lax`, as `next dev` (R68). */
  dev?: boolean;
  /** Draft mode state (R68). */
  draftMode?: { enabled: boolean };
  /** Called when request data is read during a prerender attempt (R79, R80). */
  onDynamicAccess?: (expression: string) => void;
  /** Called when a `cacheComponents` prerender calls `Date.now()`, `Math.random()`, … (R90). */
  onSyncIO?: (expression: string) => void;
  /**
   * `"use cache"` results of a `cacheComponents` prerender's first run, by key, replayed in memory by
   * its second run (R90). Values are the cache runtime's results (opaque here).
   */
  prerenderMemo?: Map<string, unknown>;
  /** The app's cache runtime (src/cache/runtime.ts), set by the runtime for `next/cache`. */
  cacheRuntime?: unknown;
  /**
   * Set while a cached GET is rendered for the route cache (prerender, fill, regeneration): cached
   * functions called inside add their tags (R106) and lower the lifetime (R102) of the route entry.
   */
  routeCacheScope?: { tags: string[]; revalidate?: number; expire?: number };
  /** Extra per-request data for features that need it (cache scope links etc.). */
  [key: symbol]: unknown;
}

export const requestStorage = new AsyncLocalStorage<RequestStore>();

// Next's Node server puts the class on `globalThis` when the environment has none (libraries written
// for Next read `globalThis.AsyncLocalStorage`); the same here, at the cost of one property write.
const scope = globalThis as { AsyncLocalStorage?: unknown };
if (typeof scope.AsyncLocalStorage !== "function") scope.AsyncLocalStorage = AsyncLocalStorage;

/** The current store, or undefined outside a request. */
export function currentRequestStore(): RequestStore | undefined {
  return requestStorage.getStore();
}

/** The current store; throws a clear error naming `api` outside a request. */
export function requireRequestStore(api: string): RequestStore {
  const store = requestStorage.getStore();
  if (store === undefined) {
    throw new ApprouteError(
      ErrorCode.OUTSIDE_REQUEST,
      `\`${api}\` was called outside a request scope. It can only be used inside a route handler, proxy/middleware or code they call while handling a request.`,
      {
        hint: "Call it from inside your GET/POST/… function (or a function it awaits), not at module top level or in a timer.",
      },
    );
  }
  return store;
}
