/**
 * `proxy.ts` / `middleware.ts` (spec §10, R124–R135): decide whether the proxy runs for a path
 * (`config.matcher`), run it with a `NextRequest` and a `NextFetchEvent`, and read what it returned.
 *
 * Only the Response the proxy function returned is interpreted — its `x-middleware-*` headers are
 * the proxy's instructions. Request headers are never read as instructions (R133, R134): clients'
 * `x-middleware-*` headers are stripped on ingress by the adapters, and nothing here looks at them.
 * @module
 */

import { requestStorage } from "../context/request-store.js";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import { RequestCookies, ResponseCookies } from "../deps/cookies.js";
import { FastResponse, isFastResponse } from "../web/fast-response.js";
import { createIncomingRequest, type IncomingSource, type NextRequest } from "../web/next-request.js";
import type { NextURLOptions } from "../web/next-url.js";
import { NextFetchEvent } from "../web/server.js";
import { kBody, kReal } from "../web/symbols.js";
import type { Logger } from "./logger.js";
import {
  type CompiledPattern,
  compileConditions,
  compilePattern,
  type MatchInput,
  matchPattern,
} from "./match-rules.js";

/** The proxy module as the build hands it over. */
export interface ProxyModuleRecord {
  file: string;
  kind: "proxy" | "middleware";
  module: Record<string, unknown>;
}

type ProxyFunction = (request: NextRequest, event: NextFetchEvent) => unknown;

export interface CompiledProxy {
  file: string;
  fn: ProxyFunction;
  /** null: runs for every path (R126). */
  matchers: CompiledPattern[] | null;
  /** Some matcher has has/missing conditions. */
  conditional: boolean;
}

/** What the handler phase needs after a proxy said "continue" (next() / rewrite() / nothing). */
export interface ProxyContinue {
  /** The request headers the handler sees (R128, R131), or undefined when unchanged. */
  requestHeaders?: Headers;
  /** Headers the proxy put on its response; they go on the final response (R128). */
  responseHeaders?: Headers;
  /**
   * Internal rewrite target: pathname (without basePath; null when the target is outside basePath),
   * path (with it) and search (R129).
   */
  rewrite?: { pathname: string | null; path: string; search: string };
  /** The handler's `request.url` scheme, when the proxy's header set changed X-Forwarded-Proto (R128). */
  scheme?: "http" | "https";
  /** External rewrite target (absolute URL on another origin). */
  external?: string;
}

/** The suffixes a matcher also accepts (Next's data and RSC request spellings of a path). */
const TRANSPORT = "\\.rsc|\\.segments/.+\\.segment\\.rsc";
const PATH_SUFFIX = `{(\\.json|${TRANSPORT})}?`;
const ROOT_SUFFIX = `(/?index|/?index\\.json|/?index(?:${TRANSPORT}))?`;

const SEGMENT_CONFIG = ["runtime", "dynamic", "revalidate", "fetchCache", "preferredRegion", "maxDuration"];

function proxyError(file: string, message: string, hint: string): ApprouteError {
  return new ApprouteError(ErrorCode.INVALID_PROXY, message, { location: { file }, hint });
}

/** Validates the proxy module once at start-up (R124–R126). */
export function compileProxy(record: ProxyModuleRecord): CompiledProxy {
  const { file, kind, module } = record;
  const named = module[kind];
  const fn = typeof named === "function" ? named : module.default;
  if (typeof fn !== "function") {
    throw proxyError(
      file,
      `${file} must export a function named "${kind}" or a default function.`,
      `Add: export function ${kind}(request) { … }`,
    );
  }
  for (const name of SEGMENT_CONFIG) {
    if (name in module) {
      throw proxyError(
        file,
        `Route segment config is not allowed in the proxy file ${file}: found "export const ${name}".`,
        "Remove it; the proxy always runs in the Node.js runtime (R125).",
      );
    }
  }
  const config = module.config as { matcher?: unknown } | undefined;
  let matchers: CompiledPattern[] | null = null;
  let conditional = false;
  if (config !== undefined && config !== null && config.matcher !== undefined) {
    const list = Array.isArray(config.matcher) ? config.matcher : [config.matcher];
    matchers = list.map((entry: unknown, i: number) => {
      const what = `${file} config.matcher[${i}]`;
      const item =
        typeof entry === "string" ? { source: entry } : (entry as { source?: unknown; regexp?: unknown });
      if (typeof item !== "object" || item === null) {
        throw proxyError(
          file,
          `${what}: expected a string or { source, has?, missing? }.`,
          'Example: export const config = { matcher: ["/api/:path*"] }',
        );
      }
      let pattern: CompiledPattern;
      if (typeof item.regexp === "string") {
        pattern = { source: String(item.source), regexp: new RegExp(item.regexp), keys: [] };
      } else {
        // Next compiles matchers without the `i` flag: they are case-sensitive.
        pattern = compilePattern(item.source, what, { sensitive: true, code: ErrorCode.INVALID_PROXY });
        // As next start, a matcher also covers the path's transport spellings (`/a/12.json`,
        // `/a/12.rsc`, `/index.json` for `/`): `/pa/12.json` must not reach `app/pa/[id]` without
        // the proxy that `/pa/:id(\\d+)` puts in front of it (R126).
        const suffix = item.source === "/" ? ROOT_SUFFIX : PATH_SUFFIX;
        pattern.regexp = compilePattern(`${item.source}${suffix}`, what, {
          sensitive: true,
          code: ErrorCode.INVALID_PROXY,
        }).regexp;
      }
      const has = compileConditions((item as { has?: unknown }).has, what);
      const missing = compileConditions((item as { missing?: unknown }).missing, what);
      if (has) pattern.has = has;
      if (missing) pattern.missing = missing;
      if (has || missing) conditional = true;
      return pattern;
    });
  }
  return { file, fn: fn as ProxyFunction, matchers, conditional };
}

/** True when the proxy runs for `pathname` (the path inside basePath). */
export function proxyMatches(proxy: CompiledProxy, pathname: string, input: MatchInput | undefined): boolean {
  const matchers = proxy.matchers;
  if (matchers === null) return true;
  let decoded: string | undefined;
  for (const matcher of matchers) {
    if (matchPattern(matcher, pathname, input) !== null) return true;
    // As Next: also try the decoded form, so `/caf%C3%A9` matches a matcher written `/café`.
    if (decoded === undefined) {
      try {
        decoded = decodeURIComponent(pathname);
      } catch {
        decoded = pathname;
      }
    }
    if (decoded !== pathname && matchPattern(matcher, decoded, input) !== null) return true;
  }
  return false;
}

/**
 * Wraps `source` so the proxy can read the body and the handler still gets it: the first body read
 * buffers it, later reads replay the bytes. Untouched bodies are never buffered.
 */
export function replayableBody(source: IncomingSource): {
  proxySource: IncomingSource;
  handlerSource(): IncomingSource;
} {
  let buffered: Promise<Uint8Array> | undefined;
  const bytes = () => (buffered ??= source.bytes());
  const replay = (): ReadableStream<Uint8Array> | null =>
    new ReadableStream<Uint8Array>({
      async start(controller) {
        try {
          const data = await bytes();
          if (data.byteLength > 0) controller.enqueue(data.slice());
          controller.close();
        } catch (error) {
          controller.error(error);
        }
      },
    });
  const view = (readBytes: () => Promise<Uint8Array>, stream: () => ReadableStream<Uint8Array> | null) =>
    ({
      method: source.method,
      get url() {
        return source.url;
      },
      headers: () => source.headers(),
      header: source.header === undefined ? undefined : (name: string) => source.header!(name),
      forwarded: source.forwarded === undefined ? undefined : (name: string) => source.forwarded!(name),
      stream,
      bytes: readBytes,
      signal: () => source.signal(),
      afterResponse: (task: () => void) => source.afterResponse(task),
    }) satisfies IncomingSource;
  return {
    proxySource: view(bytes, replay),
    handlerSource: () =>
      buffered === undefined ? source : view(() => bytes().then((b) => b.slice()), replay),
  };
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const FORWARDED = ["x-forwarded-port", "x-forwarded-proto", "x-forwarded-for", "x-forwarded-host"] as const;
const encoder = new TextEncoder();

/**
 * Runs the proxy. Resolves to a Response to send as is (redirects, any returned Response — R130),
 * or to what the handler phase must apply (R128, R129, R131, R132).
 */
export async function runProxy(
  proxy: CompiledProxy,
  source: IncomingSource,
  nextConfig: NextURLOptions["nextConfig"],
  basePath: string,
  logger: Logger,
): Promise<Response | ProxyContinue> {
  const request = createIncomingRequest(source, nextConfig);
  const event = new NextFetchEvent({ page: "/" });
  const store = { request, route: proxy.file, phase: "proxy" as const, afterTasks: undefined };
  const result = await requestStorage.run(store, proxy.fn, request, event);
  // waitUntil(): errors are logged as soon as they happen, never sent (R132).
  for (const promise of event.pending)
    Promise.resolve(promise).catch((error) => logger.error(`Error in waitUntil() of ${proxy.file}:`, error));
  const after = (store as { afterTasks?: Array<() => unknown> }).afterTasks;
  if (after !== undefined && after.length > 0) {
    (store as { phase: string }).phase = "after";
    source.afterResponse(() => {
      for (const task of after) {
        requestStorage.run(store, () => {
          try {
            Promise.resolve(task()).catch((error) =>
              logger.error(`Error in after() callback of ${proxy.file}:`, error),
            );
          } catch (error) {
            logger.error(`Error in after() callback of ${proxy.file}:`, error);
          }
        });
      }
    });
  }
  if (result === undefined || result === null) return {};
  if (!(result instanceof Response)) {
    throw new TypeError(
      `${proxy.file} returned ${typeof result}; a proxy must return a Response (NextResponse.next(), rewrite(), redirect(), …) or nothing.`,
    );
  }
  return interpret(result, source, basePath);
}

function interpret(response: Response, source: IncomingSource, basePath: string): Response | ProxyContinue {
  const headers = response.headers;
  const rewrite = headers.get("x-middleware-rewrite");
  const next = headers.get("x-middleware-next");
  const location = headers.get("location");

  // What the proxy added to its response, minus its instructions (never sent, A4).
  const forwarded = new Headers();
  for (const [name, value] of headers) {
    if (name.startsWith("x-middleware-") || name === "content-length") continue;
    forwarded.append(name, value);
  }

  if (rewrite === null && next === null) {
    if (location !== null && REDIRECT_STATUS.has(response.status)) {
      forwarded.set("location", relativize(location, source.url));
      return redirectResponse(response.status, forwarded);
    }
    // Any other Response short-circuits with its own status and body (R130).
    const body = isFastResponse(response) && response[kReal] === undefined ? response[kBody] : response.body;
    return new FastResponse(body, {
      status: response.status,
      statusText: response.statusText,
      headers: forwarded,
    }) as unknown as Response;
  }

  const outcome: ProxyContinue = {};
  let hasResponseHeaders = false;
  for (const _ of forwarded) {
    hasResponseHeaders = true;
    break;
  }
  if (hasResponseHeaders) outcome.responseHeaders = forwarded;

  // R128: next({ request: { headers } }) replaces the request headers with exactly that set.
  const override = headers.get("x-middleware-override-headers");
  let requestHeaders: Headers | undefined;
  if (override !== null) {
    requestHeaders = new Headers();
    for (const raw of override.split(",")) {
      const name = raw.trim();
      if (name === "") continue;
      const value = headers.get(`x-middleware-request-${name}`);
      if (value !== null) requestHeaders.set(name, value);
    }
    // Next adds its X-Forwarded-* after the override, where the new set has none, from the
    // connection: the client's own X-Forwarded-For/Port/Proto went with the old set (R47, R128).
    for (const name of FORWARDED) {
      if (requestHeaders.has(name)) continue;
      // X-Forwarded-Host: the new set's Host, else the listen host name (`next start -H`).
      const value =
        name === "x-forwarded-host"
          ? (requestHeaders.get("host") ?? source.forwarded?.(name) ?? new URL(source.url).hostname)
          : (source.forwarded?.(name) ?? null);
      if (value !== null) requestHeaders.set(name, value);
    }
    // As next start, the handler's request.url takes its scheme from the new set (R42, R128).
    const https = requestHeaders.get("x-forwarded-proto")?.includes("https") === true;
    if (https !== source.url.startsWith("https:")) outcome.scheme = https ? "https" : "http";
  }
  // As Next: headers the proxy put on its response are also visible to the handler's request.
  if (hasResponseHeaders) {
    for (const [name, value] of forwarded) {
      if (name === "set-cookie") continue;
      (requestHeaders ??= source.headers()).set(name, value);
    }
  }
  // R131: cookies the proxy set are readable through cookies() (and request.cookies) in the handler.
  const setCookies = headers.getSetCookie();
  if (setCookies.length > 0) {
    requestHeaders ??= source.headers();
    const incoming = new RequestCookies(requestHeaders);
    for (const cookie of new ResponseCookies(
      new Headers(setCookies.map((c): [string, string] => ["set-cookie", c])),
    ).getAll())
      incoming.set(cookie.name, cookie.value);
  }
  if (requestHeaders !== undefined) outcome.requestHeaders = requestHeaders;

  if (rewrite !== null) {
    const own = new URL(source.url);
    const target = new URL(rewrite, own);
    if (target.origin !== own.origin) outcome.external = target.href;
    else {
      let pathname: string | null = target.pathname;
      if (basePath !== "") {
        // As next start: a target outside basePath is no route's path (R146).
        if (pathname === basePath || pathname.startsWith(`${basePath}/`))
          pathname = pathname.slice(basePath.length) || "/";
        else pathname = null;
      }
      outcome.rewrite = { pathname, path: target.pathname, search: target.search };
    }
  }
  return outcome;
}

/** Same-origin absolute URLs become relative, as Next sends them. */
export function relativize(location: string, requestUrl: string): string {
  try {
    const own = new URL(requestUrl);
    const url = new URL(location, own);
    if (url.origin === own.origin) return url.pathname + url.search + url.hash;
    return url.href;
  } catch {
    return location;
  }
}

/** Next's redirect answer: status, `Location`, the location as body, `Refresh` for 308. */
export function redirectResponse(status: number, headers: Headers): Response {
  const location = headers.get("location") ?? "/";
  if (status === 308) headers.set("refresh", `0;url=${location}`);
  return new FastResponse(encoder.encode(location), { status, headers }) as unknown as Response;
}
