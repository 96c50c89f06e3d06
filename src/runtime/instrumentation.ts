/**
 * `instrumentation.ts` (as in Next.js): `register()` runs once per server process before the first
 * request is served, and `onRequestError(error, request, context)` hears about every error that
 * turns a request into a 500 — a route handler that throws, a cached GET whose rendering fails
 * (also in a background regeneration), a proxy that throws — with the response held until it
 * settles. Error reporters (Sentry's `captureRequestError`, OpenTelemetry) plug in here unchanged.
 * @module
 */
import { ApprouteError, ErrorCode, type SourceLocation } from "../core/errors.js";
import type { Logger } from "./logger.js";

/** What `instrumentation.ts` may export. */
export interface InstrumentationModule {
  register?: () => unknown;
  onRequestError?: (error: unknown, request: RequestErrorRequest, context: RequestErrorContext) => unknown;
}

/** The request as `onRequestError` sees it (Next's shape). */
export interface RequestErrorRequest {
  /** Pathname and query as requested: `/api/users/1?x=1`. */
  path: string;
  method: string;
  /** The request headers by lower-case name, as the handler saw them. */
  headers: Record<string, string>;
}

/** Where the error happened (Next's shape; approute serves route handlers and the proxy only). */
export interface RequestErrorContext {
  routerKind: "App Router" | "Pages Router";
  /** The route's path as a folder pattern (`/api/users/[id]`), or `/proxy` (`/middleware`). */
  routePath: string;
  routeType: "route" | "proxy";
  /** `"stale"` when rendering a cached GET failed; absent for a dynamic route. */
  revalidateReason?: "on-demand" | "stale";
}

/** The instrumentation file of a build, as the entry hands it to the app. */
export interface InstrumentationRecord {
  /** Project-relative path, for messages. */
  file: string;
  module: InstrumentationModule;
}

/** Reports one failed request to `onRequestError`. Never rejects. */
export type RequestErrorReporter = (
  error: unknown,
  request: { method: string; url: string; headers: Iterable<[string, string]> },
  context: RequestErrorContext,
) => Promise<void>;

/**
 * The app's reporter, or undefined when the instrumentation file exports no `onRequestError` (the
 * request path then does no extra work). An `onRequestError` that throws is logged; the request
 * still gets its 500.
 */
export function createErrorReporter(
  instrumentation: InstrumentationRecord | undefined,
  logger: Logger,
): RequestErrorReporter | undefined {
  const hook = instrumentation?.module.onRequestError;
  if (typeof hook !== "function") return undefined;
  const module = instrumentation!.module;
  return async (error, request, context) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) headers[name] = value;
    try {
      await hook.call(
        module,
        error,
        { path: url.pathname + url.search, method: request.method, headers },
        context,
      );
    } catch (failure) {
      logger.error(`Error in onRequestError of ${instrumentation!.file}:`, failure);
    }
  };
}

const REGISTERED = Symbol.for("approute.instrumentation-registered");
/** Set by the CLI in the primary process of a cluster. */
export const PRIMARY = Symbol.for("approute.cluster-primary");

/**
 * Runs `register()` of a project's instrumentation file once per process and project (`key`: the
 * project root): a dev server rebuilding, or a second app instance over the same build, does not
 * register tracers twice. Awaited by the build's entry before its route modules load, so a tracer
 * `register()` installs is in place before any route code runs, and before the server listens.
 * A `register()` that throws fails the start with `APR_INSTRUMENTATION_FAILED` naming the file
 * (next start would keep running and answer every request with a 500).
 */
export function registerInstrumentation(record: InstrumentationRecord, key: string): Promise<void> {
  const global = globalThis as { [REGISTERED]?: Map<string, Promise<void>>; [PRIMARY]?: boolean };
  // The primary of `approute start --workers n` loads the build only to check it: it serves nothing,
  // so it registers nothing; each worker registers in its own process.
  if (global[PRIMARY] === true) return Promise.resolve();
  const registry = (global[REGISTERED] ??= new Map());
  let done = registry.get(key);
  if (done === undefined) {
    const register = record.module.register;
    done =
      typeof register === "function"
        ? Promise.resolve()
            .then(() => register.call(record.module))
            .then(
              () => undefined,
              (error: unknown) => {
                registry.delete(key);
                throw new ApprouteError(
                  ErrorCode.INSTRUMENTATION_FAILED,
                  `register() in ${record.file} failed: ${error instanceof Error ? error.message : String(error)}`,
                  {
                    location: throwSite(record.file, error),
                    hint: `Fix register() in ${record.file} (the stack of its error follows); the server starts once it resolves.`,
                    cause: error,
                  },
                );
              },
            )
        : Promise.resolve();
    registry.set(key, done);
  }
  return done;
}

/** `file` with the line and column of the topmost stack frame inside it (source-mapped), if any. */
function throwSite(file: string, error: unknown): SourceLocation {
  const stack = error instanceof Error ? error.stack : undefined;
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const frame = stack === undefined ? null : new RegExp(`[\\\\/]${escaped}:(\\d+):(\\d+)`).exec(stack);
  return frame === null ? { file } : { file, line: Number(frame[1]), column: Number(frame[2]) };
}
