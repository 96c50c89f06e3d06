/**
 * The requests a cached GET sees (R77, R79, R80): a synthetic request for build-time prerenders and
 * cache fills, the `force-static` mask (empty headers and cookies, `http://localhost:3000<path>`), and
 * access tracking that either fails the build (`dynamic = "error"`) or turns the route dynamic
 * (`dynamic = "auto"`). Only cache fills and force-static routes pay for any of this.
 * @module
 */

import { ApprouteError, ErrorCode } from "../core/errors.js";
import { RequestCookies } from "../deps/cookies.js";
import { createIncomingRequest, type IncomingSource, type NextRequest } from "../web/next-request.js";
import { NextURL } from "../web/next-url.js";

/** The origin Next uses for prerendered requests (R77). */
export const STATIC_ORIGIN = "http://localhost:3000";

/** Request members that count as request data (R79). */
const TRACKED_REQUEST = new Set([
  "headers",
  "cookies",
  "url",
  "body",
  "json",
  "text",
  "arrayBuffer",
  "blob",
  "formData",
  "bytes",
]);
/** NextURL members that count as request data (R79); `pathname` does not (R80). */
const TRACKED_URL = new Set(["search", "searchParams", "url", "href", "origin", "toString", "toJSON"]);

/**
 * Thrown inside a fill of a `dynamic = "auto"` route when it reads request data: the fill stops and
 * the route is served dynamically (R80). Never reaches a client.
 */
export class DynamicUsageSignal extends Error {
  constructor(readonly expression: string) {
    super(`The route read ${expression} while being prerendered, so it is dynamic.`);
    this.name = "DynamicUsageSignal";
  }
}

/** The error of a `dynamic = "error"` route that read request data (R79). */
export function dynamicUsageError(route: string, file: string, expression: string): ApprouteError {
  return new ApprouteError(
    ErrorCode.DYNAMIC_USAGE,
    `Route ${route} with \`dynamic = "error"\` couldn't be rendered statically because it used \`${expression}\`.`,
    {
      location: { file },
      hint: `Remove the use of ${expression} from the GET handler, or change \`export const dynamic\` ("force-static" masks request data, "force-dynamic" runs per request).`,
    },
  );
}

/** What a fill does when the handler reads request data. */
export type AccessReaction = (expression: string) => never | undefined;

/** An incoming source with no headers, cookies or body: what build-time and background fills run with. */
export function staticSource(pathname: string): IncomingSource {
  return {
    method: "GET",
    url: STATIC_ORIGIN + pathname,
    headers: () => new Headers(),
    stream: () => null,
    bytes: () => Promise.resolve(new Uint8Array(0)),
    signal: () => new AbortController().signal,
    afterResponse: (task) => {
      setTimeout(task, 0);
    },
  };
}

const READONLY_HEADERS_MESSAGE =
  "Headers cannot be modified. Read more: https://nextjs.org/docs/app/api-reference/functions/headers";

function sealedHeaders(): Headers {
  const headers = new Headers();
  const refuse = () => {
    throw new Error(READONLY_HEADERS_MESSAGE);
  };
  Object.defineProperties(headers, {
    set: { value: refuse },
    append: { value: refuse },
    delete: { value: refuse },
  });
  return headers;
}

function sealedCookies(): RequestCookies {
  const cookies = new RequestCookies(new Headers());
  const refuse = () => {
    throw new Error(
      "Cookies can only be modified in a Server Action or Route Handler; this force-static route sees no cookies.",
    );
  };
  Object.defineProperties(cookies, {
    set: { value: refuse },
    delete: { value: refuse },
    clear: { value: refuse },
  });
  return cookies;
}

function bindTo(target: object, value: unknown): unknown {
  return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
}

/**
 * The `force-static` view of a request (R77): empty sealed headers and cookies, a URL without host or
 * query, no ip/geo. Body methods pass through (Next does not mask them).
 */
export function maskRequest(request: NextRequest, pathname: string, basePath = ""): NextRequest {
  const href = STATIC_ORIGIN + basePath + pathname;
  let headers: Headers | undefined;
  let cookies: RequestCookies | undefined;
  let nextUrl: NextURL | undefined;
  return new Proxy(request, {
    get(target, prop) {
      switch (prop) {
        case "headers":
          return (headers ??= sealedHeaders());
        case "cookies":
          return (cookies ??= sealedCookies());
        case "url":
          return href;
        case "nextUrl":
          return (nextUrl ??= new NextURL(href, { nextConfig: { basePath } }));
        case "ip":
        case "geo":
          return undefined;
        default:
          return bindTo(target, Reflect.get(target, prop, target));
      }
    },
  });
}

/**
 * A request whose data reads call `react(expression)` first (R79, R80). `react` throws to stop the
 * handler (a DynamicUsageSignal or the dynamic-usage error).
 */
export function trackRequest(request: NextRequest, react: (expression: string) => void): NextRequest {
  let nextUrl: NextURL | undefined;
  return new Proxy(request, {
    get(target, prop) {
      if (typeof prop === "string") {
        if (TRACKED_REQUEST.has(prop)) react(`request.${prop}`);
        else if (prop === "nextUrl") {
          if (nextUrl === undefined) {
            const real = target.nextUrl;
            nextUrl = new Proxy(real, {
              get(url, key) {
                if (typeof key === "string" && TRACKED_URL.has(key)) react(`nextUrl.${key}`);
                return bindTo(url, Reflect.get(url, key, url));
              },
            });
          }
          return nextUrl;
        }
      }
      return bindTo(target, Reflect.get(target, prop, target));
    },
  });
}

/** A synthetic lazy request for `pathname`, as a build-time prerender or a background fill sees it. */
export function staticRequest(pathname: string, basePath = ""): NextRequest {
  return createIncomingRequest(staticSource(basePath + pathname), { basePath });
}
