/**
 * `NextResponse` (R51–R63): a Response with a `cookies` jar and the `json`, `redirect`, `rewrite`
 * and `next` helpers. It extends the lightweight {@link FastResponse}, so it is still
 * `instanceof Response` and adapters can write it without a stream.
 * @module
 */
import { ResponseCookies } from "../deps/cookies.js";
import { FastResponse, headersUnbuilt } from "./fast-response.js";
import { kCookies, kHeaders, kSetCookie } from "./symbols.js";

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

/** Internal headers NextResponse helpers set for proxy/middleware; never sent to clients (A4). */
export const MIDDLEWARE_HEADERS = {
  rewrite: "x-middleware-rewrite",
  next: "x-middleware-next",
  overrideHeaders: "x-middleware-override-headers",
  requestPrefix: "x-middleware-request-",
  setCookie: "x-middleware-set-cookie",
} as const;

export interface MiddlewareResponseInit extends ResponseInit {
  request?: { headers?: Headers };
}

function validateURL(url: string | URL): string {
  try {
    return String(new URL(String(url)));
  } catch (error) {
    throw new Error(
      `URL is malformed "${String(url)}". Please use only absolute URLs - https://nextjs.org/docs/messages/middleware-relative-urls`,
      {
        cause: error,
      },
    );
  }
}

function applyRequestHeaders(init: MiddlewareResponseInit | undefined, headers: Headers): void {
  const override = init?.request?.headers;
  if (!override) return;
  if (!(override instanceof Headers)) throw new Error("request.headers must be an instance of Headers");
  const keys: string[] = [];
  for (const [key, value] of override) {
    headers.set(MIDDLEWARE_HEADERS.requestPrefix + key, value);
    keys.push(key);
  }
  headers.set(MIDDLEWARE_HEADERS.overrideHeaders, keys.join(","));
}

function withoutRequest(init: MiddlewareResponseInit | undefined, headers: Headers): ResponseInit {
  if (!init) return { headers };
  const { request: _request, ...rest } = init;
  return { ...rest, headers };
}

/**
 * The part of `Headers` a `ResponseCookies` jar uses, over a response whose headers are not built:
 * values wait in the response's `kSetCookie` list (the adapters write them, and the `headers` getter
 * moves them into the Headers it builds); once built, the calls go to the real Headers.
 */
function setCookieView(response: NextResponse): Headers {
  const view = {
    getSetCookie: (): string[] => response[kHeaders]?.getSetCookie() ?? [...(response[kSetCookie] ?? [])],
    get: (name: string): string | null => response.headers.get(name),
    delete(name: string): void {
      const built = response[kHeaders];
      if (built !== undefined) built.delete(name);
      else if (name.toLowerCase() === "set-cookie") response[kSetCookie] = undefined;
      else response.headers.delete(name);
    },
    append(name: string, value: string): void {
      const built = response[kHeaders];
      if (built !== undefined) built.append(name, value);
      else if (name.toLowerCase() === "set-cookie") (response[kSetCookie] ??= []).push(value);
      else response.headers.append(name, value);
    },
  };
  return view as unknown as Headers;
}

/** Next.js' response class. */
export class NextResponse<Body = unknown> extends FastResponse {
  declare [kCookies]: ResponseCookies | undefined;
  declare readonly __bodyType?: Body;

  constructor(body?: BodyInit | null, init?: ResponseInit) {
    super(body, init);
  }

  /** The response's `Set-Cookie` jar: one header per cookie, keyed by name (R55–R59). */
  get cookies(): ResponseCookies {
    return (this[kCookies] ??= new ResponseCookies(
      headersUnbuilt(this) ? setCookieView(this) : this.headers,
    ));
  }

  /** Like `Response.json()` (R52). */
  static override json<T>(body: T, init?: ResponseInit): NextResponse<T> {
    return super.json(body, init) as NextResponse<T>;
  }

  /** A redirect to an absolute URL; default status 307 (R53). */
  static override redirect(url: string | URL, init?: number | ResponseInit): Response & NextResponse {
    const status = typeof init === "number" ? init : (init?.status ?? 307);
    if (!REDIRECT_STATUS.has(status)) {
      throw new RangeError('Failed to execute "redirect" on "response": Invalid status code');
    }
    const initObject = typeof init === "object" ? init : {};
    const headers = new Headers(initObject.headers);
    headers.set("Location", validateURL(url));
    return new NextResponse(null, { ...initObject, headers, status }) as Response & NextResponse;
  }

  /** Proxy/middleware only: serve another URL without changing the browser's (R54, R129). */
  static rewrite(destination: string | URL, init?: MiddlewareResponseInit): NextResponse {
    const headers = new Headers(init?.headers);
    headers.set(MIDDLEWARE_HEADERS.rewrite, validateURL(destination));
    applyRequestHeaders(init, headers);
    return new NextResponse(null, withoutRequest(init, headers));
  }

  /** Proxy/middleware only: continue to the route, optionally with new request headers (R54, R128). */
  static next(init?: MiddlewareResponseInit): NextResponse {
    const headers = new Headers(init?.headers);
    headers.set(MIDDLEWARE_HEADERS.next, "1");
    applyRequestHeaders(init, headers);
    return new NextResponse(null, withoutRequest(init, headers));
  }
}
// The published build is bundled, and a bundler gives a class that names itself in its own body an
// internal alias (`class _NextResponse`); keep the name users see in logs and `constructor.name`.
Object.defineProperty(NextResponse, "name", { value: "NextResponse" });
