/**
 * `next/navigation` helpers usable in route handlers (R27–R30): they throw a marker error that the
 * runtime turns into the matching empty response.
 * @module
 */

export type RedirectType = "push" | "replace";
export const RedirectType = { push: "push", replace: "replace" } as const;

const REDIRECT_DIGEST = "NEXT_REDIRECT";
const HTTP_FALLBACK_DIGEST = "NEXT_HTTP_ERROR_FALLBACK";

/** Thrown by `redirect()` / `permanentRedirect()`. `digest` follows Next's format. */
export class RedirectError extends Error {
  readonly digest: string;
  constructor(
    readonly url: string,
    readonly status: 303 | 307 | 308,
    type: RedirectType = "replace",
  ) {
    super(REDIRECT_DIGEST);
    this.digest = `${REDIRECT_DIGEST};${type};${url};${status};`;
  }
}

/** Thrown by `notFound()`, `forbidden()`, `unauthorized()`. */
export class HttpFallbackError extends Error {
  readonly digest: string;
  constructor(readonly status: 401 | 403 | 404) {
    super(`${HTTP_FALLBACK_DIGEST};${status}`);
    this.digest = `${HTTP_FALLBACK_DIGEST};${status}`;
  }
}

/** Ends the handler with `307` (`303` for server-action-style POSTs) and `Location: url` verbatim (R29, R30). */
export function redirect(url: string, type?: RedirectType): never {
  throw new RedirectError(url, 307, type);
}

/** Ends the handler with `308` and `Location: url` (R29). */
export function permanentRedirect(url: string, type?: RedirectType): never {
  throw new RedirectError(url, 308, type);
}

/** Ends the handler with an empty `404` (R27). */
export function notFound(): never {
  throw new HttpFallbackError(404);
}

/** `403`, only with `experimental.authInterrupts` (R28); otherwise an ordinary error (500). */
export function forbidden(): never {
  throw new HttpFallbackError(403);
}

/** `401`, only with `experimental.authInterrupts` (R28); otherwise an ordinary error (500). */
export function unauthorized(): never {
  throw new HttpFallbackError(401);
}

/** Next's helper to rethrow navigation errors from a catch block. */
export function unstable_rethrow(error: unknown): void {
  if (error instanceof RedirectError || error instanceof HttpFallbackError) throw error;
}
