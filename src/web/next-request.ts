/**
 * `NextRequest` (R42–R50): a real `Request` subclass with `nextUrl` and `cookies`. Incoming requests
 * are not built through the Request constructor: {@link createIncomingRequest} makes a lazy object
 * whose prototype chain runs through `NextRequest.prototype`, so `instanceof` holds while headers,
 * URL and body are only materialised when the handler reads them.
 * @module
 */
import { canonicalUrl } from "../core/url.js";
import { RequestCookies } from "../deps/cookies.js";
import { fetchClass, whenGlobal } from "./fetch-globals.js";
import { NextURL, type NextURLOptions } from "./next-url.js";
import { kReal, kSource, kState } from "./symbols.js";

/** What an adapter hands over to describe one incoming request. Everything expensive is a method. */
export interface IncomingSource {
  readonly method: string;
  /** Absolute URL, built from the server's own origin (R42). */
  readonly url: string;
  /** Builds the request headers. Called at most once per request. */
  headers(): Headers;
  /** One request header without building Headers (optional; the route cache reads `cookie`). */
  header?(name: string): string | null;
  /**
   * Optional: the `X-Forwarded-Host/Port/Proto/For` value the server itself gives this connection,
   * whatever the client sent — what a header set replaced by the proxy gets (R47, R128). For the
   * host that is the listen host name, not the request's `Host`.
   */
  forwarded?(name: string): string | null;
  /** The body as a stream, or null when there is none. Called at most once. */
  stream(): ReadableStream<Uint8Array> | null;
  /** The whole body; the fast path behind text()/json()/arrayBuffer(). Called at most once. */
  bytes(): Promise<Uint8Array>;
  /** Aborts when the client goes away before the response is done (R49). */
  signal(): AbortSignal;
  /** Runs `task` once the response has been sent (or the client has gone). */
  afterResponse(task: () => void): void;
  /**
   * Optional: replaces the body limit with a route's own (A6). Returns false when the declared
   * `Content-Length` already exceeds it, so the request is refused before a byte is read.
   */
  limitBody?(limit: number): boolean;
}

interface RequestState {
  url?: string;
  nextUrl?: NextURL;
  cookies?: RequestCookies;
  nextConfig?: NextURLOptions["nextConfig"];
  headers?: Headers;
  bodyUsed?: boolean;
  signal?: AbortSignal;
}

export type NextRequestInit = RequestInit & { nextConfig?: NextURLOptions["nextConfig"]; duplex?: "half" };

function validateURL(url: string): string {
  try {
    return String(new URL(url));
  } catch (error) {
    throw new Error(
      `URL is malformed "${url}". Please use only absolute URLs - https://nextjs.org/docs/messages/middleware-relative-urls`,
      {
        cause: error,
      },
    );
  }
}

/** Thrown by `request.page` (R48); same name and message as Next's. */
export class RemovedPageError extends Error {
  constructor() {
    super(
      "The request.page has been deprecated in favour of `URLPattern`.\n  Read more: https://nextjs.org/docs/messages/middleware-request-page\n  ",
    );
  }
}

/** Thrown by `request.ua` (R48); same name and message as Next's. */
export class RemovedUAError extends Error {
  constructor() {
    super(
      "The request.ua has been removed in favour of `userAgent` function.\n  Read more: https://nextjs.org/docs/messages/middleware-parse-user-agent\n  ",
    );
  }
}

/**
 * A `NextRequest` is a `Request`: the class's prototype chain is linked to the global Request's once
 * that exists (see fetch-globals.ts; constructing one links it), so an app that never uses the
 * Fetch classes does not load undici at start.
 */
export interface NextRequest extends Request {}

/** Next.js' request class. Construct it like a `Request`; the URL must be absolute (R50). */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: see the interface above.
export class NextRequest {
  declare [kState]: RequestState;

  constructor(input: URL | RequestInfo, init: NextRequestInit = {}) {
    const url = typeof input !== "string" && "url" in input ? input.url : String(input);
    validateURL(url);
    if (init.body && init.duplex !== "half") init = { ...init, duplex: "half" };
    const GlobalRequest = fetchClass("Request");
    // As `super(...)` would for `class NextRequest extends Request` (a subclass's prototype too).
    const self = Reflect.construct(
      GlobalRequest,
      [input instanceof GlobalRequest ? input : url, init],
      new.target,
    ) as NextRequest;
    self[kState] = { nextConfig: init.nextConfig };
    // biome-ignore lint/correctness/noConstructorReturn: the Request is built by the real constructor.
    return self;
  }

  /** The request cookies (`Cookie` header) as a mutable map that never produces `Set-Cookie` (R44–R46). */
  get cookies(): RequestCookies {
    const state = this[kState];
    if (state.cookies === undefined) {
      const source = (this as Partial<Lazy>)[kSource];
      state.cookies = new RequestCookies(
        state.headers === undefined && source?.header !== undefined ? cookieView(this, source) : this.headers,
      );
    }
    return state.cookies;
  }

  /** The URL with basePath awareness (R43). */
  get nextUrl(): NextURL {
    const state = this[kState];
    return (state.nextUrl ??= new NextURL(this.url, { nextConfig: state.nextConfig }));
  }

  /** Removed in Next 13 (R48). */
  get page(): never {
    throw new RemovedPageError();
  }

  /** Removed in Next 13 (R48). */
  get ua(): never {
    throw new RemovedUAError();
  }

  /** Not part of Next 15+; always undefined (R48). */
  get ip(): undefined {
    return undefined;
  }
  get geo(): undefined {
    return undefined;
  }
}

// `url` is normalised through NextURL, as in Next (a declared property in the DOM types, so it is
// installed here rather than as a class accessor).
let requestUrl: () => string;
Object.defineProperty(NextRequest.prototype, "url", {
  configurable: true,
  get(this: NextRequest) {
    const state = this[kState];
    return (state.url ??= new NextURL(requestUrl.call(this) as string, {
      nextConfig: state.nextConfig,
    }).toString());
  },
});

type Lazy = NextRequest & { [kSource]: IncomingSource; [kReal]?: Request };

/**
 * The part of `Headers` a `RequestCookies` map uses (it reads `cookie` once and writes it back on
 * set/delete), over an incoming request whose headers are not built yet: reading takes the one
 * header from the source; writing builds the request's Headers, as `request.headers.set` would.
 */
function cookieView(request: NextRequest, source: IncomingSource): Headers {
  const view = {
    get: (name: string): string | null => source.header!(name),
    set: (name: string, value: string): void => request.headers.set(name, value),
    delete: (name: string): void => request.headers.delete(name),
  };
  return view as unknown as Headers;
}

function bodyUnusable(): Promise<never> {
  return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
}

function takeBytes(req: Lazy): Promise<Uint8Array> {
  const real = req[kReal];
  if (real) return real.arrayBuffer().then((b) => new Uint8Array(b));
  const state = req[kState];
  if (state.bodyUsed) return bodyUnusable();
  state.bodyUsed = true;
  return req[kSource].bytes();
}

const decoder = new TextDecoder();

/** Builds (once) the real Request behind a lazy one; used for clone() and rarely used members. */
function materialize(req: Lazy): Request {
  let real = req[kReal];
  if (real === undefined) {
    const state = req[kState];
    const source = req[kSource];
    const method = source.method;
    const hasBody = method !== "GET" && method !== "HEAD" && !state.bodyUsed;
    const body = hasBody ? source.stream() : null;
    state.bodyUsed = state.bodyUsed || hasBody;
    real = new (fetchClass("Request"))(req.url, {
      method,
      headers: req.headers,
      body,
      signal: req.signal,
      duplex: "half",
    } as RequestInit);
    req[kReal] = real;
  }
  return real;
}

const lazyMembers: PropertyDescriptorMap = {
  method: {
    get(this: Lazy) {
      return this[kSource].method;
    },
  },
  url: {
    get(this: Lazy) {
      const state = this[kState];
      return (state.url ??= canonicalUrl(this[kSource].url));
    },
  },
  headers: {
    get(this: Lazy) {
      const state = this[kState];
      return (state.headers ??= this[kSource].headers());
    },
  },
  signal: {
    get(this: Lazy) {
      const state = this[kState];
      return (state.signal ??= this[kSource].signal());
    },
  },
  body: {
    get(this: Lazy) {
      const real = this[kReal];
      if (real) return real.body;
      const method = this[kSource].method;
      if (method === "GET" || method === "HEAD") return null;
      return materialize(this).body;
    },
  },
  bodyUsed: {
    get(this: Lazy) {
      const real = this[kReal];
      return real ? real.bodyUsed : Boolean(this[kState].bodyUsed);
    },
  },
  arrayBuffer: {
    value(this: Lazy) {
      return takeBytes(this).then((b) =>
        b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer,
      );
    },
  },
  bytes: {
    value(this: Lazy) {
      return takeBytes(this);
    },
  },
  text: {
    value(this: Lazy) {
      return takeBytes(this).then((b) => decoder.decode(b));
    },
  },
  json: {
    value(this: Lazy) {
      return takeBytes(this).then((b) => JSON.parse(decoder.decode(b)));
    },
  },
  blob: {
    value(this: Lazy) {
      return takeBytes(this).then(
        (b) => new Blob([b as Uint8Array<ArrayBuffer>], { type: this.headers.get("content-type") ?? "" }),
      );
    },
  },
  formData: {
    value(this: Lazy) {
      return materialize(this).formData();
    },
  },
  clone: {
    value(this: Lazy) {
      const copy = new NextRequest(materialize(this).clone());
      copy[kState].nextConfig = this[kState].nextConfig;
      return copy;
    },
  },
  // Spec defaults for a request that came from the network; no need to build a real Request.
  cache: { value: "default" },
  credentials: { value: "same-origin" },
  destination: { value: "" },
  integrity: { value: "" },
  keepalive: { value: false },
  mode: { value: "cors" },
  redirect: { value: "follow" },
  referrer: { value: "about:client" },
  referrerPolicy: { value: "" },
  duplex: { value: "half" },
  isHistoryNavigation: { value: false },
  isReloadNavigation: { value: false },
};

const incomingPrototype: object = Object.create(NextRequest.prototype, lazyMembers);

whenGlobal("Request", (GlobalRequest: typeof Request) => {
  Object.setPrototypeOf(NextRequest.prototype, GlobalRequest.prototype);
  Object.setPrototypeOf(NextRequest, GlobalRequest);
  requestUrl = Object.getOwnPropertyDescriptor(GlobalRequest.prototype, "url")!.get!;
  forwardTheRest(GlobalRequest);
});
// What Request.prototype would answer before the chain is linked.
Object.defineProperty(NextRequest.prototype, Symbol.toStringTag, { configurable: true, value: "Request" });

// Anything Request.prototype has that we did not cover is forwarded to the real request.
function forwardTheRest(GlobalRequest: typeof Request): void {
  for (const name of Object.getOwnPropertyNames(GlobalRequest.prototype)) {
    if (name === "constructor" || name in lazyMembers) continue;
    const desc = Object.getOwnPropertyDescriptor(GlobalRequest.prototype, name)!;
    if (typeof desc.value === "function") {
      Object.defineProperty(incomingPrototype, name, {
        value(this: Lazy, ...args: unknown[]) {
          return (materialize(this) as any)[name](...args);
        },
      });
    } else if (desc.get) {
      Object.defineProperty(incomingPrototype, name, {
        get(this: Lazy) {
          return (materialize(this) as any)[name];
        },
      });
    }
  }
}

/**
 * Wraps an adapter's request description in a lazy NextRequest. hot path: one object, two slots.
 */
export function createIncomingRequest(
  source: IncomingSource,
  nextConfig?: NextURLOptions["nextConfig"],
): NextRequest {
  const req = Object.create(incomingPrototype) as Lazy;
  req[kSource] = source;
  req[kState] = { nextConfig };
  return req;
}

/** Replaces the headers a lazy incoming request reports (proxy `next({ request: { headers } })`, R128). */
export function setIncomingHeaders(request: NextRequest, headers: Headers): void {
  request[kState].headers = headers;
}

/** Other internal names next start deletes from every request before routing (lower case, as Node gives them). */
const INTERNAL_NAMES = new Set([
  "x-now-route-matches",
  "x-matched-path",
  "x-nextjs-data",
  "x-next-resume-state-length",
  "next-resume",
  "next-url",
]);

/**
 * True for the internal header names a client must never be able to send (R133, R134): the proxy's
 * instructions travel only on the Response the proxy returns, and the names next start strips
 * (`x-matched-path`, `x-now-route-matches`, `x-nextjs-data`, `next-url`, …) never reach a handler.
 * Adapters drop them on ingress.
 * hot path: one char test for most other headers.
 */
export function isInternalRequestHeader(name: string): boolean {
  const c = name.charCodeAt(0);
  if (c === 120 || c === 88 /* x X */)
    return (
      (name.length > 13 && name.slice(0, 13).toLowerCase() === "x-middleware-") || INTERNAL_NAMES.has(name)
    );
  return (c === 110 || c === 78) /* n N */ && INTERNAL_NAMES.has(name);
}

/** Adapts a real Fetch `Request` (from Bun, Deno, workerd or a test) into an incoming source. */
export function sourceFromRequest(request: Request): IncomingSource {
  return {
    method: request.method,
    url: request.url,
    headers: () => {
      const headers = new Headers(request.headers);
      for (const name of [...headers.keys()]) if (isInternalRequestHeader(name)) headers.delete(name);
      return headers;
    },
    header: (name) => (isInternalRequestHeader(name) ? null : request.headers.get(name)),
    stream: () => request.body,
    bytes: () => request.arrayBuffer().then((b) => new Uint8Array(b)),
    signal: () => request.signal,
    afterResponse: (task) => {
      setTimeout(task, 0);
    },
  };
}
