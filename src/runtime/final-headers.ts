/**
 * Putting `next.config` headers and proxy response headers on the response the route produced, the
 * way `next start` does (R128, R148): those headers are set first; the route's own headers are added
 * after them, appended for `Set-Cookie`, `Vary`, `WWW-Authenticate` and `Proxy-Authenticate`, and
 * otherwise only when the name is not there yet. Also: describing a request for `has`/`missing`
 * conditions, and forwarding a request to an external rewrite destination.
 * @module
 */
import { FastResponse, isFastResponse } from "../web/fast-response.js";
import type { IncomingSource } from "../web/next-request.js";
import { kBody, kReal } from "../web/symbols.js";
import type { Logger } from "./logger.js";
import { conditionCookie, type MatchInput } from "./match-rules.js";

const MULTI_VALUE = new Set(["set-cookie", "vary", "www-authenticate", "proxy-authenticate"]);

/** `base` with `top` applied over it (`set`, except `Set-Cookie`, which accumulates). */
export function overlay(base: Headers | undefined, top: Headers): Headers {
  if (base === undefined) return top;
  for (const [name, value] of top) {
    if (name === "set-cookie") base.append(name, value);
    else base.set(name, value);
  }
  return base;
}

/** Returns `response` with `extra` headers first and its own merged after them. */
export function withHeaders(response: Response, extra: Headers | undefined): Response {
  if (extra === undefined) return response;
  const merged = new Headers(extra);
  for (const [name, value] of response.headers) {
    if (MULTI_VALUE.has(name) || !merged.has(name)) merged.append(name, value);
  }
  const init = { status: response.status, statusText: response.statusText, headers: merged };
  if (isFastResponse(response) && response[kReal] === undefined) {
    return new FastResponse(response[kBody], init) as unknown as Response;
  }
  return new Response(response.body, init);
}

/** A lazy view of the request for `has`/`missing` conditions. */
export function matchInputFor(source: IncomingSource, search: string): MatchInput {
  let headers: Headers | undefined;
  let query: URLSearchParams | undefined;
  const input: MatchInput = {
    headers: () => (headers ??= source.headers()),
    query: () => (query ??= new URLSearchParams(search)),
    cookie: (name) => conditionCookie(input.headers().get("cookie"), name),
  };
  return input;
}

// Hop-by-hop and framing headers are never forwarded as they are (RFC 9110 §7.6.1); fetch()
// sets its own framing, so no Content-Length/Transfer-Encoding mismatch can reach the upstream.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "host",
  "content-length",
  "expect",
]);

/**
 * Serves an external rewrite (R150) by forwarding the request with `fetch`. The target URL comes
 * from config or proxy code only; its authority never contains request data (config-routes.ts).
 */
export async function proxyExternal(
  url: string,
  source: IncomingSource,
  requestHeaders: Headers | undefined,
  logger: Logger,
): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of requestHeaders ?? source.headers()) {
    if (!HOP_BY_HOP.has(name)) headers.append(name, value);
  }
  // As next start: the upstream learns the Host the client asked for, whatever it claimed.
  headers.set("x-forwarded-host", (source.header?.("host") ?? source.headers().get("host")) || "");
  const method = source.method;
  const hasBody = method !== "GET" && method !== "HEAD";
  let upstream: Response;
  try {
    upstream = await fetch(url, {
      method,
      headers,
      body: hasBody ? source.stream() : null,
      redirect: "manual",
      signal: source.signal(),
      duplex: "half",
    } as RequestInit);
  } catch (error) {
    logger.error(`External rewrite to ${new URL(url).origin} failed:`, error);
    return new FastResponse(null, { status: 502 }) as unknown as Response;
  }
  // fetch() has already decoded the body: the encoding and length headers no longer describe it.
  const out = new Headers();
  for (const [name, value] of upstream.headers) {
    if (name === "content-encoding" || name === "content-length" || HOP_BY_HOP.has(name)) continue;
    out.append(name, value);
  }
  return new Response(upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: out,
  });
}
