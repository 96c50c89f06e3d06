/**
 * Errors with stable codes. Every error approute raises at build or start time carries a code from
 * `ErrorCode` (documented in docs/errors.md); tests assert on the code, people read the message.
 * @module
 */

/** Stable error codes. Never rename one; add new ones at the end. */
export const ErrorCode = {
  /** Two route files resolve to the same URL, or sibling dynamic folders use different names. */
  ROUTE_CONFLICT: "APR_ROUTE_CONFLICT",
  /** A folder name is not a valid route segment (unbalanced brackets, catch-all not last, …). */
  INVALID_SEGMENT: "APR_INVALID_SEGMENT",
  /** No `app/` or `src/app/` directory was found. */
  NO_APP_DIR: "APR_NO_APP_DIR",
  /** esbuild could not compile a route file or something it imports. */
  COMPILE_FAILED: "APR_COMPILE_FAILED",
  /** `approute start` found no build output. */
  NO_BUILD: "APR_NO_BUILD",
  /** A route segment config export (`dynamic`, `revalidate`, …) has an invalid value. */
  INVALID_SEGMENT_CONFIG: "APR_INVALID_SEGMENT_CONFIG",
  /** A `next.config` option has an invalid value. */
  INVALID_CONFIG: "APR_INVALID_CONFIG",
  /** A `"use cache"` directive is misplaced or misspelled. */
  INVALID_DIRECTIVE: "APR_INVALID_DIRECTIVE",
  /** A request-time API was used where there is no request. */
  OUTSIDE_REQUEST: "APR_OUTSIDE_REQUEST",
  /** `dynamic = "error"` route read request data while being prerendered. */
  DYNAMIC_USAGE: "APR_DYNAMIC_USAGE",
  /** A value crossing a `"use cache"` boundary cannot be serialised. */
  UNSERIALIZABLE: "APR_UNSERIALIZABLE",
  /** Request-scoped data read inside a cached scope. */
  CACHE_SCOPE: "APR_CACHE_SCOPE",
  /** A prerender of a static GET failed at build. */
  PRERENDER_FAILED: "APR_PRERENDER_FAILED",
  /** Invalid command line. */
  USAGE: "APR_USAGE",
  /** The middleware / proxy file is invalid. */
  INVALID_PROXY: "APR_INVALID_PROXY",
  /** `register()` of `instrumentation.ts` threw or rejected at start. */
  INSTRUMENTATION_FAILED: "APR_INSTRUMENTATION_FAILED",
  /** Route code imports `client-only`, a marker for browser-only modules. */
  CLIENT_ONLY_IMPORT: "APR_CLIENT_ONLY_IMPORT",
  /** Route code imports a package that is not installed. */
  MODULE_NOT_FOUND: "APR_MODULE_NOT_FOUND",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where in a source file an error points. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/**
 * An error approute raises on purpose: it has a stable `code`, and optionally the file and line it is
 * about plus a hint on how to fix it.
 */
export class ApprouteError extends Error {
  readonly code: ErrorCode;
  readonly location?: SourceLocation;
  readonly hint?: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: { location?: SourceLocation; hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApprouteError";
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }
}

/** True when `value` is an ApprouteError, also across duplicated module copies. */
export function isApprouteError(value: unknown): value is ApprouteError {
  return (
    value instanceof Error &&
    typeof (value as ApprouteError).code === "string" &&
    (value as ApprouteError).code.startsWith("APR_")
  );
}

/** One readable paragraph: `[CODE] message` plus location and hint lines. */
export function formatError(error: ApprouteError): string {
  let text = `[${error.code}] ${error.message}`;
  if (error.location) {
    const { file, line, column } = error.location;
    text += `\n  at ${file}${line ? `:${line}${column ? `:${column}` : ""}` : ""}`;
  }
  if (error.hint) text += `\n  fix: ${error.hint}`;
  return text;
}
