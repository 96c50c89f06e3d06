/**
 * The responses the runtime itself produces (404, 405, 308, …). Built as lightweight responses with
 * precomputed header objects so they cost next to nothing.
 * @module
 */
import { FastResponse } from "../web/fast-response.js";

/** An empty response with `status` and optional headers. */
export function emptyResponse(status: number, headers?: Record<string, string>): Response {
  return new FastResponse(
    null,
    headers === undefined ? { status } : { status, headers },
  ) as unknown as Response;
}

/** A short plain-text reason for a client error ("bad input gets a clear answer"). */
export function textResponse(status: number, text: string, headers?: Record<string, string>): Response {
  return new FastResponse(text, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  }) as unknown as Response;
}

const encoder = new TextEncoder();

/** Next's canonicalising redirect (R11, R13): 308, `Location`, `Refresh`, the target as the body (no content type, as Next). */
export function permanentRedirectResponse(location: string): Response {
  return new FastResponse(encoder.encode(location), {
    status: 308,
    headers: { location, refresh: `0;url=${location}` },
  }) as unknown as Response;
}

const METHOD_NOT_ALLOWED = encoder.encode("Method Not Allowed");
const STATIC_ALLOW = { allow: "GET, HEAD" };

/**
 * next start's answer to any method but GET/HEAD on a prerendered route: it never reaches the
 * route module, so the body is Next's text (no content type) and `Allow` is `GET, HEAD` — the
 * route's other exports, automatic OPTIONS included, do not apply (R73).
 */
export function prerenderedMethodNotAllowed(): Response {
  return new FastResponse(METHOD_NOT_ALLOWED, { status: 405, headers: STATIC_ALLOW }) as unknown as Response;
}
