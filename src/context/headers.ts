/**
 * `next/headers` (also `approute/headers`): `headers()`, `cookies()` and `draftMode()`, async as in
 * Next 16 and scoped to the current request through the request store (R64–R70).
 * @module
 */

import type { RequestCookie, ResponseCookie } from "../deps/cookies.js";
import { ResponseCookies } from "../deps/cookies.js";
import { assertRequestDataAllowed } from "./cache-scope.js";
import { type RequestStore, requireRequestStore } from "./request-store.js";

const READONLY_HEADERS_MESSAGE =
  "Headers cannot be modified. Read more: https://nextjs.org/docs/app/api-reference/functions/headers";

/**
 * Request headers of Next's client router (RSC, router state, prefetch, HMR, request ids) that
 * `headers()` never shows, although `request.headers` does (R64), as in next start.
 */
const HIDDEN = [
  "rsc",
  "next-router-state-tree",
  "next-router-prefetch",
  "next-hmr-refresh",
  "next-router-segment-prefetch",
  "x-nextjs-request-id",
  "x-nextjs-html-request-id",
];

function readonlyHeaders(source: Headers): Headers {
  const copy = new Headers(source);
  for (const name of HIDDEN) copy.delete(name);
  const refuse = () => {
    throw new Error(READONLY_HEADERS_MESSAGE);
  };
  Object.defineProperties(copy, {
    set: { value: refuse },
    append: { value: refuse },
    delete: { value: refuse },
  });
  return copy;
}

/** The incoming request headers, read-only (R64). */
export async function headers(): Promise<Headers> {
  const store = requireRequestStore("headers");
  assertRequestDataAllowed("headers()");
  store.onDynamicAccess?.("headers()");
  return (store.headersView ??= readonlyHeaders(store.request.headers));
}

/** A cookie store as returned by `cookies()` (R65). */
export interface CookieStore {
  get(name: string | RequestCookie): ResponseCookie | undefined;
  getAll(name?: string | RequestCookie): ResponseCookie[];
  has(name: string): boolean;
  set(
    ...args: [key: string, value: string, cookie?: Partial<ResponseCookie>] | [options: ResponseCookie]
  ): CookieStore;
  delete(...args: [key: string] | [options: Omit<ResponseCookie, "value" | "expires">]): CookieStore;
  readonly size: number;
  toString(): string;
  [Symbol.iterator](): IterableIterator<[string, ResponseCookie]>;
}

function jarFor(store: RequestStore): ResponseCookies {
  if (store.cookieJar === undefined) {
    const jar = new ResponseCookies(new Headers());
    for (const cookie of store.request.cookies.getAll())
      jar.set({ name: cookie.name, value: cookie.value, path: "/" });
    store.cookieJar = jar;
  }
  return store.cookieJar;
}

function assertMutable(store: RequestStore): void {
  if (store.phase === "after") {
    throw new Error(
      "Cookies can only be modified in a Server Action or Route Handler. Read more: https://nextjs.org/docs/app/api-reference/functions/cookies#options",
    );
  }
  if (store.phase === "prerender") {
    throw new Error(
      "Cookies cannot be modified while a route is prerendered (force-static or build-time rendering).",
    );
  }
}

function record(store: RequestStore, name: string): void {
  (store.mutatedCookies ??= []).push(name);
}

function nameOf(arg: unknown): string {
  return typeof arg === "string" ? arg : (arg as { name: string }).name;
}

/** The request's cookies; mutable inside a route handler, where changes become `Set-Cookie` (R65, R66). */
export async function cookies(): Promise<CookieStore> {
  const store = requireRequestStore("cookies");
  assertRequestDataAllowed("cookies()");
  store.onDynamicAccess?.("cookies()");
  const jar = jarFor(store);
  const view: CookieStore = {
    get: (name) => jar.get(name as string),
    getAll: (name?) => (name === undefined ? jar.getAll() : jar.getAll(name as string)),
    has: (name) => jar.has(name),
    set(...args: any[]) {
      assertMutable(store);
      (jar.set as (...a: any[]) => unknown)(...args);
      record(store, nameOf(args[0]));
      return view;
    },
    delete(...args: any[]) {
      assertMutable(store);
      const arg = args[0];
      const name = nameOf(arg);
      const options = typeof arg === "string" ? {} : arg;
      jar.set({ ...options, name, value: "", expires: new Date(0), path: options.path ?? "/" });
      record(store, name);
      return view;
    },
    get size() {
      return jar.getAll().length;
    },
    toString: () => jar.toString(),
    [Symbol.iterator]: () =>
      jar
        .getAll()
        .map((c) => [c.name, c] as [string, ResponseCookie])
        [Symbol.iterator](),
  };
  return view;
}

const PRERENDER_BYPASS = "__prerender_bypass";
// Used when the app was created without the build's id: still unguessable, valid for this process.
// Made on first use (Workers forbid random values at module scope).
let processPreviewId: string | undefined;

/** The value a valid `__prerender_bypass` cookie holds: the build's preview id, else this process's. */
export function previewIdOf(buildPreviewId: string | undefined): string {
  return (
    buildPreviewId ??
    (processPreviewId ??= process.getBuiltinModule("node:crypto").randomBytes(16).toString("hex"))
  );
}

/**
 * Draft mode (R68): `isEnabled` follows the `__prerender_bypass` cookie; enable/disable set it —
 * `SameSite=None; Secure` in production, `SameSite=Lax` without `Secure` under `approute dev` (so it
 * works on http://localhost), as Next does.
 */
export async function draftMode(): Promise<{ readonly isEnabled: boolean; enable(): void; disable(): void }> {
  const store = requireRequestStore("draftMode");
  const previewId = previewIdOf(store.previewId);
  const state = (store.draftMode ??= {
    enabled: store.request.cookies.get(PRERENDER_BYPASS)?.value === previewId,
  });
  return {
    get isEnabled() {
      return state.enabled;
    },
    enable() {
      assertRequestDataAllowed("draftMode().enable()", false);
      assertMutable(store);
      const jar = jarFor(store);
      jar.set({
        name: PRERENDER_BYPASS,
        value: previewId,
        httpOnly: true,
        sameSite: store.dev === true ? "lax" : "none",
        secure: store.dev !== true,
        path: "/",
      });
      record(store, PRERENDER_BYPASS);
      state.enabled = true;
    },
    disable() {
      assertRequestDataAllowed("draftMode().disable()", false);
      assertMutable(store);
      const jar = jarFor(store);
      jar.set({
        name: PRERENDER_BYPASS,
        value: "",
        httpOnly: true,
        sameSite: store.dev === true ? "lax" : "none",
        secure: store.dev !== true,
        path: "/",
        expires: new Date(0),
      });
      record(store, PRERENDER_BYPASS);
      state.enabled = false;
    },
  };
}
