/**
 * A lightweight `Response`: it keeps the body and init as given and builds the real (undici) Response
 * only when someone reads the body through the Fetch API. Adapters write its body straight to the
 * socket. `instanceof Response` holds because its prototype chain runs through the global one.
 *
 * Route modules compiled by approute see this class as their `Response` (and `NextResponse` extends
 * it), without the global being replaced for the rest of the process.
 * @module
 */
import { fetchClass, whenGlobal } from "./fetch-globals.js";
import { kBody, kHeaders, kInit, kReal, kSetCookie, kStatus, kWriterMemo } from "./symbols.js";

const objectTag = Object.prototype.toString;
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

type Body = BodyInit | null | undefined;

/** The content type the Fetch standard derives from a body (when the headers set none). */
export function bodyContentType(body: Body): string | null {
  if (typeof body === "string") return "text/plain;charset=UTF-8";
  if (body instanceof URLSearchParams) return "application/x-www-form-urlencoded;charset=UTF-8";
  if (body instanceof Blob) return body.type || null;
  return null;
}

/**
 * Lightweight Response. Behaves like the global `Response` for every Fetch API use; the body is only
 * turned into a stream when read as one.
 */
export class FastResponse {
  declare [kBody]: Body;
  declare [kInit]: ResponseInit | undefined;
  declare [kStatus]: number;
  declare [kHeaders]: Headers | undefined;
  declare [kReal]: Response | undefined;
  /** `Set-Cookie` values added through `NextResponse.cookies` before anyone asked for `headers`. */
  declare [kSetCookie]: string[] | undefined;
  /** Only on a response served from a prepared cache entry (see {@link WriterMemo}). */
  declare [kWriterMemo]?: WriterMemo;

  constructor(body?: Body, init?: ResponseInit) {
    let status = 200;
    if (init !== undefined && init !== null) {
      if (init.status !== undefined) {
        status = Number(init.status);
        if (!Number.isInteger(status) || status < 200 || status > 599) {
          throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
        }
      }
      if (init.statusText !== undefined && /[\r\n]/.test(String(init.statusText))) {
        throw new TypeError("Invalid statusText");
      }
    }
    if (body !== null && body !== undefined && NULL_BODY_STATUS.has(status)) {
      throw new TypeError(`Response constructor: Invalid response status code ${status}`);
    }
    // FormData needs the real multipart encoder; everything else stays lazy. (Checked by its tag:
    // reading the global FormData would load undici for every Response.)
    if (typeof body === "object" && body !== null && objectTag.call(body) === "[object FormData]") {
      this[kReal] = new (fetchClass("Response"))(body, init);
      this[kHeaders] = this[kReal].headers;
    }
    this[kBody] = body;
    this[kInit] = init;
    this[kStatus] = status;
  }

  get status(): number {
    return this[kStatus];
  }
  get ok(): boolean {
    return this[kStatus] >= 200 && this[kStatus] < 300;
  }
  get statusText(): string {
    const text = this[kInit]?.statusText;
    return text === undefined ? "" : String(text);
  }
  get type(): ResponseType {
    return "default";
  }
  get url(): string {
    return "";
  }
  get redirected(): boolean {
    return false;
  }
  get headers(): Headers {
    let headers = this[kHeaders];
    if (headers === undefined) {
      headers = new (fetchClass("Headers"))(this[kInit]?.headers);
      if (!headers.has("content-type")) {
        const type = bodyContentType(this[kBody]);
        if (type !== null) headers.set("content-type", type);
      }
      const pending = this[kSetCookie];
      if (pending !== undefined) {
        for (const value of pending) headers.append("set-cookie", value);
        this[kSetCookie] = undefined;
      }
      this[kHeaders] = headers;
    }
    return headers;
  }
  // Typed as the global Response's members, so a NextResponse is assignable to Response under
  // whichever DOM lib the user's TypeScript has (5.7+ types the body as Uint8Array<ArrayBuffer>).
  get body(): Response["body"] {
    return realResponse(this).body;
  }
  get bodyUsed(): boolean {
    const real = this[kReal];
    return real === undefined ? false : real.bodyUsed;
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return realResponse(this).arrayBuffer();
  }
  blob(): Promise<Blob> {
    return realResponse(this).blob();
  }
  formData(): Promise<FormData> {
    return realResponse(this).formData();
  }
  json(): Promise<any> {
    return realResponse(this).json();
  }
  text(): Promise<string> {
    return realResponse(this).text();
  }
  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    const real = realResponse(this) as Response & { bytes?: () => Promise<Uint8Array<ArrayBuffer>> };
    return real.bytes ? real.bytes() : real.arrayBuffer().then((b) => new Uint8Array(b));
  }
  clone(): Response {
    const real = realResponse(this);
    if (real.bodyUsed) throw new TypeError("Response.clone: Body has already been consumed.");
    const copy = real.clone();
    return new (fetchClass("Response"))(copy.body, {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
    });
  }

  /** Same as `Response.json()`, without building a stream. */
  static json(data: unknown, init?: ResponseInit): FastResponse {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Value is not JSON serializable");
    const response = new this(text, init);
    if (init?.headers === undefined) {
      response[kHeaders] = undefined;
      response[kInit] = init === undefined ? JSON_INIT : { ...init, headers: JSON_HEADERS };
    } else {
      // Not `response.headers`: that getter would default a string body to text/plain.
      const headers = new (fetchClass("Headers"))(init.headers);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
      response[kHeaders] = headers;
    }
    return response;
  }

  /** Same as `Response.redirect()`: absolute URL, status 301/302/303/307/308. */
  static redirect(url: string | URL, status = 302): Response {
    const location = new URL(String(url)).href;
    if (!REDIRECT_STATUS.has(status)) throw new RangeError("Invalid status code");
    return new FastResponse(null, { status, headers: { location } }) as unknown as Response;
  }

  static error(): Response {
    return fetchClass("Response").error();
  }
}
// The published build is bundled, and a bundler gives a class that names itself in its own body an
// internal alias (`class _FastResponse`); keep the name users see in logs and `constructor.name`.
Object.defineProperty(FastResponse, "name", { value: "FastResponse" });

// Frozen: shared by every json() response, and writers may keep a flattened copy (see write.ts).
const JSON_HEADERS = Object.freeze({ "content-type": "application/json" });

/**
 * True while `response`'s headers are still the ones `json()` (or no init) gave it, so they hold no
 * `Set-Cookie` yet and a cookie jar can collect its values without building a Headers object.
 */
export function headersUnbuilt(response: FastResponse): boolean {
  if (response[kHeaders] !== undefined || response[kReal] !== undefined) return false;
  const headers = response[kInit]?.headers;
  return headers === undefined || headers === JSON_HEADERS;
}
const JSON_INIT: ResponseInit = { headers: JSON_HEADERS };

whenGlobal("Response", (GlobalResponse: typeof Response) => {
  Object.setPrototypeOf(FastResponse.prototype, GlobalResponse.prototype);
  Object.setPrototypeOf(FastResponse, GlobalResponse);
});
// What Response.prototype would answer before the chain is linked.
Object.defineProperty(FastResponse.prototype, Symbol.toStringTag, { configurable: true, value: "Response" });

/** The real Response behind a FastResponse, built once on first use of a body API. */
export function realResponse(response: FastResponse): Response {
  let real = response[kReal];
  if (real === undefined) {
    const body = response[kBody];
    real = new (fetchClass("Response"))(body === undefined ? null : body, {
      status: response[kStatus],
      statusText: response.statusText,
      headers: response.headers,
    });
    response[kReal] = real;
  }
  return real;
}

/**
 * Byte bodies approute serves many times and never changes (a cached route's stored body): a writer
 * may keep what it derives from one (its gzip) for as long as the body lives.
 */
const sharedBodies = new WeakSet<Uint8Array>();

/** Marks `body` as shared and immutable (see {@link isSharedBody}). */
export function shareBody(body: Uint8Array): void {
  sharedBodies.add(body);
}

/** True for a body marked by {@link shareBody}. */
export function isSharedBody(body: unknown): body is Uint8Array {
  return typeof body === "object" && body !== null && sharedBodies.has(body as Uint8Array);
}

/**
 * A slot for what a writer derives from a response approute sends many times unchanged (a cached
 * entry's, one slot per entry and cache state): set on such a response under `kWriterMemo`. The
 * Node writer keeps the header block it built there, with the body it was built for.
 */
export interface WriterMemo {
  value: unknown;
}

/** True for a FastResponse (or subclass such as NextResponse). */
export function isFastResponse(value: unknown): value is FastResponse {
  return typeof value === "object" && value !== null && kStatus in value;
}
