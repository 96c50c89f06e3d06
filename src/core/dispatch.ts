/**
 * Method dispatch policy for one route module (spec §2), computed once per module at load: which
 * handler serves which method, the automatic HEAD and OPTIONS, and the `Allow` value for 405s.
 * @module
 */

/** The seven methods a route file may export (R17), in the order Next lists them. */
export const HTTP_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

const METHOD_SET: ReadonlySet<string> = new Set(HTTP_METHODS);

/** True for one of the seven route-handler methods (exact upper case). */
export function isHttpMethod(method: string): method is HttpMethod {
  return METHOD_SET.has(method);
}

export type RouteHandler = (request: any, context: any) => unknown;

/** Per-route method table: handler per method plus the precomputed `Allow` header value. */
export interface MethodTable {
  handlers: Partial<Record<HttpMethod, RouteHandler>>;
  /** `Allow` value (R22): sorted, `, `-joined, including OPTIONS and HEAD when GET exists. */
  allow: string;
  /** The exports that look like handlers but are ignored (lower-case names): surfaced as dev warnings. */
  ignored: string[];
  /** Precomputed resolution per method, so dispatch is one lookup. */
  byMethod: Record<string, Resolution>;
}

/** Builds the method table from a route module's exports. Lower-case and default exports are ignored (R17). */
export function createMethodTable(mod: Record<string, unknown>): MethodTable {
  const handlers: Partial<Record<HttpMethod, RouteHandler>> = {};
  for (const method of HTTP_METHODS) {
    const value = mod[method];
    if (typeof value === "function") handlers[method] = value as RouteHandler;
  }
  const ignored: string[] = [];
  for (const name of Object.keys(mod)) {
    if (isHttpMethod(name.toUpperCase()) && !isHttpMethod(name) && typeof mod[name] === "function")
      ignored.push(name);
  }
  const allowed = new Set<string>(Object.keys(handlers));
  allowed.add("OPTIONS");
  if (handlers.GET) allowed.add("HEAD");
  const byMethod: Record<string, Resolution> = Object.create(null);
  for (const method of HTTP_METHODS) byMethod[method] = computeResolution(handlers, method);
  return { handlers, allow: [...allowed].sort().join(", "), ignored, byMethod };
}

/** The outcome of resolving a request method against a route. */
export type Resolution =
  | {
      kind: "handler";
      handler: RouteHandler /** HEAD served by GET (R20): drop the body. */;
      dropBody: boolean;
    }
  | { kind: "options" }
  | { kind: "not-allowed" }
  | { kind: "bad-method" };

const BAD_METHOD: Resolution = { kind: "bad-method" };
const NOT_ALLOWED: Resolution = { kind: "not-allowed" };
const AUTO_OPTIONS: Resolution = { kind: "options" };

function computeResolution(
  handlers: Partial<Record<HttpMethod, RouteHandler>>,
  method: HttpMethod,
): Resolution {
  const handler = handlers[method];
  if (handler !== undefined) return { kind: "handler", handler, dropBody: method === "HEAD" };
  if (method === "HEAD" && handlers.GET) return { kind: "handler", handler: handlers.GET, dropBody: true };
  if (method === "OPTIONS") return AUTO_OPTIONS;
  return NOT_ALLOWED;
}

/** Picks what answers `method` (R17–R23). hot path: one lookup, no allocation. */
export function resolveMethod(table: MethodTable, method: string): Resolution {
  return table.byMethod[method] ?? BAD_METHOD;
}
