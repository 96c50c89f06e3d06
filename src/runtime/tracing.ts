/**
 * OpenTelemetry spans as Next.js emits them for route handlers, for a project that registers a
 * tracer provider (in `instrumentation.ts` with `@vercel/otel` or the Node SDK, or a preloaded
 * module): a server span per request, continued from an incoming `traceparent`, named
 * `GET /api/users/[id]` once the route is known (`http.method`, `http.target`, `http.route`,
 * `next.route`, `http.status_code`, error status for 5xx), and a child span
 * `executing api route (app) /api/users/[id]` that is active while the handler runs, so the spans
 * of its `fetch` calls and database clients nest under it.
 *
 * `@opentelemetry/api` is the project's own (it is not a dependency of approute): the entry resolves
 * it from the project root. Without it, or without a registered provider when the app is created,
 * nothing here runs on the request path.
 * @module
 */
import type { IncomingSource } from "../web/next-request.js";

/** The part of `@opentelemetry/api` used here (its global registry makes any copy see the provider). */
export interface OtelApi {
  trace: {
    getTracerProvider(): { getDelegate?(): object | undefined };
    getTracer(name: string, version?: string): OtelTracer;
    getActiveSpan(): OtelSpan | undefined;
  };
  context: { active(): unknown; with<T>(context: unknown, fn: () => T): T };
  propagation: {
    extract(
      context: unknown,
      carrier: IncomingSource,
      getter: { get(carrier: IncomingSource, key: string): string | undefined; keys(): string[] },
    ): unknown;
  };
  SpanKind: { SERVER: number };
  SpanStatusCode: { ERROR: number };
}

interface OtelTracer {
  startActiveSpan<T>(
    name: string,
    options: { kind?: number; attributes?: Record<string, string | number | boolean> },
    fn: (span: OtelSpan) => T,
  ): T;
}

interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): void;
  setStatus(status: { code: number; message?: string }): void;
  updateName(name: string): void;
  end(): void;
}

export interface RequestTracing {
  /** Runs the whole request inside the server span. */
  request(
    source: IncomingSource,
    target: string,
    run: (source: IncomingSource, target: string) => Response | Promise<Response>,
  ): Response | Promise<Response>;
  /** Runs a route handler inside its span and names the request's span after the route. */
  handler(
    method: string,
    routeKey: string,
    run: () => Response | Promise<Response>,
  ): Response | Promise<Response>;
}

const CARRIER = {
  get(source: IncomingSource, key: string): string | undefined {
    return (source.header !== undefined ? source.header(key) : null) ?? undefined;
  },
  keys(): string[] {
    return [];
  },
};

/**
 * The tracing of an app, or undefined when `api` is absent or no tracer provider is registered
 * (register() has run by the time the app is created).
 */
export function createTracing(api: OtelApi | undefined): RequestTracing | undefined {
  if (api === undefined) return undefined;
  const delegate = api.trace.getTracerProvider().getDelegate?.();
  if (delegate === undefined || delegate.constructor?.name === "NoopTracerProvider") return undefined;
  const tracer = api.trace.getTracer("next.js", "approute");
  const SERVER = api.SpanKind.SERVER;
  const ERROR = api.SpanStatusCode.ERROR;

  return {
    request(source, target, run) {
      const method = source.method;
      const parent =
        source.header === undefined
          ? api.context.active()
          : api.propagation.extract(api.context.active(), source, CARRIER);
      return api.context.with(parent, () =>
        tracer.startActiveSpan(
          method,
          {
            kind: SERVER,
            attributes: {
              "http.method": method,
              "http.target": target,
              "next.span_type": "BaseServer.handleRequest",
            },
          },
          (span) => {
            const finish = (response: Response): Response => {
              span.setAttribute("http.status_code", response.status);
              span.setAttribute("next.rsc", false);
              if (response.status >= 500) {
                span.setStatus({ code: ERROR });
                span.setAttribute("error.type", String(response.status));
              }
              source.afterResponse(() => span.end());
              return response;
            };
            const fail = (error: unknown): never => {
              span.setStatus({ code: ERROR });
              span.end();
              throw error;
            };
            let result: Response | Promise<Response>;
            try {
              result = run(source, target);
            } catch (error) {
              return fail(error);
            }
            return result instanceof Promise ? result.then(finish, fail) : finish(result);
          },
        ),
      );
    },

    handler(method, routeKey, run) {
      const server = api.trace.getActiveSpan();
      if (server !== undefined) {
        server.setAttribute("next.route", routeKey);
        server.setAttribute("http.route", routeKey);
      }
      return tracer.startActiveSpan(
        `executing api route (app) ${routeKey}`,
        { attributes: { "next.route": routeKey, "next.span_type": "AppRouteRouteHandlers.runHandler" } },
        (span) => {
          const done = (response: Response): Response => {
            if (response.status >= 500) span.setStatus({ code: ERROR });
            if (server !== undefined) {
              // Named once the route answered, as Next names its request span.
              server.updateName(`${method} ${routeKey}`);
              server.setAttribute("next.span_name", `${method} ${routeKey}`);
            }
            span.end();
            return response;
          };
          let result: Response | Promise<Response>;
          try {
            result = run();
          } catch (error) {
            span.end();
            throw error;
          }
          return result instanceof Promise
            ? result.then(done, (error: unknown) => {
                span.end();
                throw error;
              })
            : done(result);
        },
      );
    },
  };
}
