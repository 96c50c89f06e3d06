// Differential check against real Next.js 16 (a test-only devDependency): the same fixture app is
// built and served by `next build && next start` and by approute, the same requests go to both, and
// status, headers and bodies are compared. Deliberate differences (spec §0, A1–A7) are asserted as
// such, so a change on either side shows up here. This is the start of the compatibility suite;
// later issues add cases to `cases` and files to tests/compat/app.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type NextServer, startNext } from "../helpers/next.ts";
import { type RawResponse, rawRequest } from "../helpers/raw.ts";

const FIXTURE = fileURLToPath(new URL("./app/", import.meta.url));

/** Headers that legitimately differ per server or per response and are never compared. */
const IGNORED = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length", "vary"]);

interface Case {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Compare only the status (Next answers with its HTML pages). */
  statusOnly?: boolean;
  /** A deliberate difference: check approute's side against this instead of Next's header value. */
  differs?: { header: string; next: string | RegExp | null; approute: string | null; why: string };
  /** A deliberate difference in status alone (Next answers with its HTML error page). */
  statusDiffers?: { next: number; approute: number; why: string };
  /** A deliberate difference in the body alone: check each side's body, then status and headers. */
  bodyDiffers?: { next: string; approute: string; why: string };
  /** Set-Cookie values with a time in them: compare without `Expires=`. */
  cookieTimes?: boolean;
  /** Send an HTTP/1.0 request, with no Host header unless `headers` has one. */
  http10?: boolean;
}

/**
 * Why a handler reached through a proxy rewrite sees another URL on each side (README differences
 * table): next start in its usual setup shows it the requested URL (the rewrite's own path and query
 * are lost), approute the rewrite's target.
 */
const REWRITE_URL = "R129: approute shows the handler the rewrite's target, path and query";

/** What app/api/url/[...rest] answers for `path` and `query` (R43, R44). */
function urlEcho(rest: string[], path: string, query: Array<[string, string]>): string {
  const search = query.length > 0 ? `?${new URLSearchParams(query)}` : "";
  const href = `<origin>${path}${search}`;
  return JSON.stringify({
    params: { rest },
    pathname: path,
    search,
    searchParams: query,
    a: query.filter(([k]) => k === "a").map(([, v]) => v),
    basePath: "",
    href,
    origin: "<origin>",
    protocol: "http:",
    hash: "",
    locale: "",
    string: href,
    json: JSON.stringify({ u: href }),
    url: href,
  });
}

const cases: Case[] = [
  { name: "R1 static JSON route", path: "/api/hello" },
  { name: "R3 dynamic param + nextUrl", path: "/api/items/42?q=1" },
  { name: "R14 encoded slash in a param", path: "/api/items/a%2Fb" },
  { name: "R14 utf-8 param", path: "/api/items/caf%C3%A9" },
  {
    name: "R42 request.url ignores the Host header",
    path: "/api/items/h",
    headers: { host: "evil.example" },
  },
  { name: "R4 catch-all", path: "/api/docs/a/b/c" },
  { name: "R16 catch-all elements decoded", path: "/api/docs/a%20b/c" },
  { name: "R4 catch-all needs a segment", path: "/api/docs", statusOnly: true },
  { name: "R5 optional catch-all empty", path: "/api/opt" },
  { name: "R5 optional catch-all", path: "/api/opt/x/y" },
  { name: "R8 static beats dynamic", path: "/api/p/new" },
  { name: "R8 dynamic", path: "/api/p/other" },
  { name: "R8 catch-all", path: "/api/p/a/b" },
  // `index` segments (R2–R5, R8): next start treats `index` as an ordinary segment everywhere except
  // as the ONLY segment of an optional catch-all, where it drops it (the pages-router `index`
  // normalisation leaking through); approute keeps it, see the README's differences table.
  { name: "R2 /index is not the root route", path: "/index", statusOnly: true },
  { name: "R2 HEAD /index", method: "HEAD", path: "/index", statusOnly: true },
  { name: "R2 a trailing /index is not the static route", path: "/api/hello/index", statusOnly: true },
  { name: "R2 POST to a trailing /index", method: "POST", path: "/api/hello/index", statusOnly: true },
  { name: "R2 /index is no prefix alias", path: "/index/api/hello", statusOnly: true },
  { name: "R2/R14 %69ndex after a static route", path: "/api/hello/%69ndex", statusOnly: true },
  { name: "R2 INDEX after a static route", path: "/api/hello/INDEX", statusOnly: true },
  { name: "R11 /api/hello/index/ redirects before routing", path: "/api/hello/index/" },
  { name: "R2 a folder named index", path: "/api/index" },
  { name: "R2 a folder named index, HEAD", method: "HEAD", path: "/api/index" },
  { name: "R2 a folder named index, POST", method: "POST", path: "/api/index" },
  { name: "R2 a folder named index has no index below it", path: "/api/index/index", statusOnly: true },
  { name: "R11 a folder named index, trailing slash", path: "/api/index/" },
  { name: "R3 index as a dynamic value", path: "/api/items/index" },
  { name: "R3 index as a dynamic value, HEAD", method: "HEAD", path: "/api/items/index" },
  { name: "R4 index as the only catch-all element", path: "/api/docs/index" },
  { name: "R4/R16 index as the last catch-all element", path: "/api/docs/a/index" },
  { name: "R4/R16 index as the first catch-all element", path: "/api/docs/index/a" },
  {
    name: "R5 index as the only optional catch-all element",
    path: "/api/opt/index",
    bodyDiffers: {
      next: '{"params":{},"hasSlug":false}',
      approute: '{"params":{"slug":["index"]},"hasSlug":true}',
      why: "R5: a segment that was sent is delivered; /api/opt and /api/opt/index stay distinguishable",
    },
  },
  {
    name: "R5/R14 %69ndex as the only optional catch-all element",
    path: "/api/opt/%69ndex",
    bodyDiffers: {
      next: '{"params":{},"hasSlug":false}',
      approute: '{"params":{"slug":["index"]},"hasSlug":true}',
      why: "R5 (see above)",
    },
  },
  { name: "R5, HEAD with index as the only element", method: "HEAD", path: "/api/opt/index" },
  {
    name: "R5, POST with index as the only element",
    method: "POST",
    path: "/api/opt/index",
    differs: { header: "allow", next: null, approute: "GET, HEAD, OPTIONS", why: "A1" },
  },
  { name: "R5/R16 index as the last optional catch-all element", path: "/api/opt/a/index" },
  { name: "R5/R16 index twice in an optional catch-all", path: "/api/opt/index/index" },
  { name: "R5 INDEX in an optional catch-all", path: "/api/opt/INDEX" },
  { name: "R5 index.json in an optional catch-all", path: "/api/opt/index.json" },
  { name: "R11 optional catch-all index, trailing slash", path: "/api/opt/index/" },
  { name: "R6 route group", path: "/grp" },
  { name: "R7 private folder", path: "/_private/x", statusOnly: true },
  { name: "unknown path", path: "/nope", statusOnly: true },
  { name: "R11 trailing slash", path: "/api/hello/?q=1" },
  { name: "R13 double slash", path: "/api//hello" },
  {
    name: "R19/A1 405",
    method: "POST",
    path: "/api/hello",
    differs: {
      header: "allow",
      next: null,
      approute: "GET, HEAD, OPTIONS",
      why: "RFC 9110 requires Allow on 405",
    },
  },
  { name: "R22 automatic OPTIONS", method: "OPTIONS", path: "/api/hello" },
  { name: "R22 automatic OPTIONS, POST/PUT", method: "OPTIONS", path: "/api/methods" },
  { name: "R23 exported OPTIONS", method: "OPTIONS", path: "/api/custom-options" },
  { name: "R20 HEAD via GET", method: "HEAD", path: "/api/hello" },
  {
    name: "R21 HEAD without GET",
    method: "HEAD",
    path: "/api/methods",
    differs: { header: "allow", next: null, approute: "OPTIONS, POST, PUT", why: "A1" },
  },
  { name: "R18 unknown method", method: "PROPFIND", path: "/api/hello" },
  {
    name: "POST body",
    method: "POST",
    path: "/api/methods",
    body: "hello",
    headers: { "content-type": "text/plain" },
  },
  { name: "204 from a handler", method: "PUT", path: "/api/methods" },
  { name: "R25 throw", path: "/api/throws" },
  { name: "R24 non-Response", path: "/api/bad-return" },
  { name: "R31 NextResponse.next() in a handler", path: "/api/next-in-handler" },
  { name: "R27 notFound()", path: "/api/not-found" },
  { name: "R29 redirect() keeps cookies()", path: "/api/redirect" },
  { name: "R29 permanentRedirect()", path: "/api/redirect?permanent=1" },
  { name: "R34/R44/R48 context and request cookies", path: "/api/ctx", headers: { cookie: "a=1; b=2" } },
  {
    name: "R55-R61 cookies() merged with response cookies",
    path: "/api/cookies",
    headers: { cookie: "old=1" },
    cookieTimes: true,
  },
  { name: "default content type of a string body", path: "/api/text" },
  // Cookies (#3): every Set-Cookie string must be byte-identical.
  {
    name: "R56-R58 cookies().set/delete with every option",
    path: "/api/ck/set",
    headers: { cookie: "old=1" },
  },
  { name: "R55/R59 NextResponse cookies: chain, overwrite, delete, raw append", path: "/api/ck/response" },
  { name: "R61 cookies() merged; the response's own cookie normalised", path: "/api/ck/merge" },
  { name: "R62 raw Set-Cookie passes through verbatim", path: "/api/ck/raw" },
  { name: "R29 redirect() with cookies()", path: "/api/ck/redirect" },
  { name: "R57 maxAge adds Max-Age and Expires", path: "/api/ck/maxage", cookieTimes: true },
  {
    name: "R44/R45/R65 request cookie parsing",
    path: "/api/ck/read",
    headers: { cookie: "flag; x=%20; bad=%E0%A4%A; a=1; a=2; sp=a b;  tail=t" },
  },
  {
    name: "R46 request.cookies mutations stay on the request",
    path: "/api/ck/reqset",
    headers: { cookie: "a=1; b=2" },
  },
  {
    name: "R65/R66 cookies() store read-your-writes",
    path: "/api/ck/jar",
    headers: { cookie: "old=1; keep=2" },
  },
  { name: "R131 proxy cookies first, then the response's, then cookies()", path: "/api/ck/proxied" },
  // Proxy (#3, spec §10).
  {
    name: "R128 next({ request: { headers } }); proxy headers beat config headers",
    path: "/api/px/headers",
    headers: { "x-drop-me": "1" },
  },
  {
    name: "R129/A4 proxy rewrite serves another route",
    path: "/api/px/rewrite",
    differs: {
      header: "x-middleware-rewrite",
      // Next relativises it only when the Host matches its own origin.
      next: /^(?:http:\/\/localhost:\d+)?\/api\/hello$/,
      approute: null,
      why: "A4: no internal header leaves the server",
    },
  },
  { name: "R130 proxy redirect, same origin → relative Location", path: "/api/px/redirect" },
  { name: "R130 proxy 308 redirect to another origin", path: "/api/px/permanent" },
  { name: "R130 proxy short-circuit Response", path: "/api/px/deny" },
  {
    name: "R133 x-middleware-subrequest cannot skip the proxy",
    path: "/api/px/guard",
    headers: { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
  },
  {
    name: "R133 the gate opens with the real cookie",
    path: "/api/px/guard",
    headers: { cookie: "role=admin" },
  },
  // next.config (#3, spec §12).
  { name: "R149 redirects() 307", path: "/cfg-old?a=1" },
  { name: "R149 redirects() 308 with params and query merge", path: "/cfg-perm/5?x=9&y=2" },
  { name: "R148/R150 headers() on the requested path + afterFiles rewrite", path: "/cfg/7" },
  { name: "R150 beforeFiles rewrite", path: "/cfg-bf/8" },
  { name: "R150 fallback rewrite", path: "/cfg-fb/x/y" },
  // Widened suite (#compat): catch-alls with encoded segments, request.nextUrl, query strings.
  { name: "R43 nextUrl, no segments, repeated query keys", path: "/api/url?a=1&a=2&b=&c&a=3" },
  { name: "R14/R16 nextUrl, encoded catch-all elements", path: "/api/url/x%2Fy/caf%C3%A9/%25?q=a%20b+c" },
  { name: "R43 nextUrl, encoded query characters", path: "/api/url/s?x=%26%3D&y=%E2%82%AC&z=a%2Bb" },
  { name: "R43 nextUrl, malformed query escape", path: "/api/url/m?a=%E0%A4%A&b=%" },
  { name: "R43 nextUrl, empty query", path: "/api/url/e?" },
  { name: "R16 catch-all: %2F stays inside one element", path: "/api/docs/a%2Fb/c" },
  { name: "R16 optional catch-all, utf-8 and space", path: "/api/opt/caf%C3%A9/a%20b" },
  { name: "R16 catch-all, dot segments", path: "/api/docs/a/../b" },
  { name: "R16 catch-all, encoded dot segments", path: "/api/docs/%2E%2E/b", statusOnly: true },
  { name: "R16 catch-all, + is not a space in a path", path: "/api/docs/a+b" },
  { name: "R16 request.url after dot segments", path: "/api/url/a/./b/../c?x=1" },
  { name: "R16 dot segments down to a trailing slash", path: "/api/url/a/..?x=1" },
  { name: "R16 raw characters a URL encodes", path: "/api/url/{a}|b^?q={}" },
  { name: "R11 trailing slash on an optional catch-all", path: "/api/opt/" },
  { name: "R11 trailing slash after an encoded slash", path: "/api/items/a%2F/" },
  { name: "R11 trailing slash, no query", path: "/api/hello/" },
  { name: "R13 backslash", path: "/api\\hello" },
  { name: "R13 double slash with a query", path: "/api//hello?x=//y" },
  // Redirects built in a handler (R29, R53).
  { name: "R53 NextResponse.redirect same origin", path: "/api/redir?kind=same-origin" },
  { name: "R53 NextResponse.redirect 301, Location normalised", path: "/api/redir?kind=301" },
  { name: "R53 NextResponse.redirect with a ResponseInit", path: "/api/redir?kind=init" },
  { name: "R53 Response.redirect 302", path: "/api/redir?kind=response" },
  { name: "R53 NextResponse.redirect of a relative URL throws", path: "/api/redir?kind=relative" },
  { name: "R53 NextResponse.redirect with status 200 throws", path: "/api/redir?kind=bad-status" },
  { name: "R29 redirect() absolute", path: "/api/redir?kind=nav-absolute" },
  { name: "R29 redirect() relative without a slash, verbatim", path: "/api/redir?kind=nav-relative" },
  // Methods (R17-R23).
  { name: "R22 automatic OPTIONS, every method", method: "OPTIONS", path: "/api/m/all" },
  { name: "R20 HEAD via GET with every method", method: "HEAD", path: "/api/m/all" },
  { name: "R17 DELETE", method: "DELETE", path: "/api/m/all" },
  {
    name: "R17 PATCH with a body",
    method: "PATCH",
    path: "/api/m/all",
    body: "{}",
    headers: { "content-type": "application/json" },
  },
  { name: "R22 automatic OPTIONS, HEAD only", method: "OPTIONS", path: "/api/m/head-only" },
  { name: "R20 exported HEAD only", method: "HEAD", path: "/api/m/head-only" },
  {
    name: "R19/A1 GET on a HEAD-only route",
    path: "/api/m/head-only",
    differs: { header: "allow", next: null, approute: "HEAD, OPTIONS", why: "A1" },
  },
  { name: "R20 exported HEAD beats GET", method: "HEAD", path: "/api/m/head-get" },
  { name: "R22 automatic OPTIONS, GET and HEAD", method: "OPTIONS", path: "/api/m/head-get" },
  { name: "R23 OPTIONS only", method: "OPTIONS", path: "/api/m/options-only" },
  {
    name: "R19/A1 GET on an OPTIONS-only route",
    path: "/api/m/options-only",
    differs: { header: "allow", next: null, approute: "OPTIONS", why: "A1" },
  },
  {
    name: "R21/A1 HEAD on an OPTIONS-only route",
    method: "HEAD",
    path: "/api/m/options-only",
    differs: { header: "allow", next: null, approute: "OPTIONS", why: "A1" },
  },
  {
    name: "R17/A1 lower-case and default exports are not handlers",
    path: "/api/m/lower",
    differs: { header: "allow", next: null, approute: "OPTIONS, POST", why: "A1" },
  },
  { name: "R22 automatic OPTIONS ignores lower-case exports", method: "OPTIONS", path: "/api/m/lower" },
  {
    name: "R19/A1 DELETE on a GET route",
    method: "DELETE",
    path: "/api/hello",
    differs: { header: "allow", next: null, approute: "GET, HEAD, OPTIONS", why: "A1" },
  },
  {
    name: "R19/A1 PATCH with a body on a GET route",
    method: "PATCH",
    path: "/api/hello",
    body: "x=1",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    differs: { header: "allow", next: null, approute: "GET, HEAD, OPTIONS", why: "A1" },
  },
  // What a handler returns or throws (R24, R25).
  { name: "R24 null", path: "/api/bad?kind=null" },
  { name: "R24 undefined", path: "/api/bad?kind=undefined" },
  { name: "R24 a string", path: "/api/bad?kind=string" },
  { name: "R25 Response.json throwing", path: "/api/bad?kind=json" },
  { name: "R25 throwing a string", path: "/api/bad?kind=throw-string" },
  { name: "R25 rejected promise", path: "/api/bad?kind=reject" },
  { name: "R25/R61 cookies() set before a throw", path: "/api/nh/throw-after-set" },
  { name: "R61 cookies() merged into Response.redirect", path: "/api/nh/immutable" },
  // Segment config and cache headers (R72-R95).
  {
    name: "R74/R75/R77 force-static: masked request, cached",
    path: "/api/cache/static?x=1",
    headers: { cookie: "a=1", "x-a": "1" },
  },
  { name: "R92 HEAD on a cached route", method: "HEAD", path: "/api/cache/static" },
  { name: "R75 revalidate = 60", path: "/api/cache/reval" },
  { name: "R78 force-dynamic", path: "/api/cache/dyn" },
  { name: "R81 revalidate = 0", path: "/api/cache/zero" },
  { name: "R95 cached GET keeps its Cache-Control", path: "/api/cache/user-cc" },
  { name: "R73/R77 force-static + POST: dynamic but masked", path: "/api/cache/static-post?q=1" },
  { name: "R33 POST on a force-static route", method: "POST", path: "/api/cache/static-post" },
  { name: "R81 revalidate = false", path: "/api/cache/forever" },
  { name: "R80 revalidate = 60 reading the query is dynamic", path: "/api/cache/auto-dyn?q=1" },
  // Bodies (R63, R136, R139).
  {
    name: "R136 request.json()",
    method: "POST",
    path: "/api/json",
    body: '{"a":[1,2]}',
    headers: { "content-type": "application/json" },
  },
  {
    name: "R136 request.json() on a malformed body",
    method: "POST",
    path: "/api/json",
    body: "{bad",
    headers: { "content-type": "application/json" },
  },
  { name: "R136 request.json() on an empty body", method: "POST", path: "/api/json", body: "" },
  { name: "R139 stream body", path: "/api/bodies?kind=stream" },
  { name: "R63 bytes body", path: "/api/bodies?kind=bytes" },
  { name: "R63 Blob body takes the blob's type", path: "/api/bodies?kind=blob" },
  { name: "R63 URLSearchParams body", path: "/api/bodies?kind=params" },
  { name: "R63 empty string body", path: "/api/bodies?kind=empty" },
  { name: "R63 custom status", path: "/api/bodies?kind=status-text" },
  { name: "R52 Response.json with its own content-type", path: "/api/bodies?kind=json-init" },
  // next/headers (R64).
  { name: "R64 headers() read-only view", path: "/api/nh/read", headers: { "x-a": "1", accept: "text/x" } },
  // File conventions (R1, R6, R7).
  { name: "R6 dynamic segment in a route group", path: "/grp/5" },
  { name: "R6 nested route groups", path: "/nested" },
  { name: "R7 %5F folder serves a leading underscore", path: "/_esc" },
  { name: "R7 %5F folder, encoded request", path: "/%5Fesc", statusOnly: true },
  { name: "R1 a module next to route.js", path: "/api/side" },
  { name: "R1 a non-route module is not routable", path: "/api/side/helper", statusOnly: true },
  // Proxy (R128-R130).
  {
    name: "R128/A1 proxy response headers on a 405",
    method: "POST",
    path: "/api/px/headers",
    differs: { header: "allow", next: null, approute: "GET, HEAD, OPTIONS", why: "A1" },
  },
  {
    name: "R64/R128 headers() sees the proxy's request headers",
    path: "/api/px/hdrs",
    headers: { "x-drop-me": "1" },
  },
  {
    name: "R129 proxy rewrite with its own query",
    path: "/api/px/rewrite-q?orig=1",
    differs: {
      header: "x-middleware-rewrite",
      next: /^(?:http:\/\/localhost:\d+)?\/api\/url\/r%20w\?from=px&a=1$/,
      approute: null,
      why: "A4: no internal header leaves the server",
    },
    bodyDiffers: {
      next: urlEcho(["r w"], "/api/px/rewrite-q", [["orig", "1"]]),
      approute: urlEcho(["r w"], "/api/url/r%20w", [
        ["from", "px"],
        ["a", "1"],
      ]),
      why: REWRITE_URL,
    },
  },
  {
    name: "R129 proxy rewrite without a query",
    path: "/api/px/rewrite-keep?z=9",
    differs: {
      header: "x-middleware-rewrite",
      next: /^(?:http:\/\/localhost:\d+)?\/api\/url\/k$/,
      approute: null,
      why: "A4: no internal header leaves the server",
    },
    bodyDiffers: {
      next: urlEcho(["k"], "/api/px/rewrite-keep", [["z", "9"]]),
      approute: urlEcho(["k"], "/api/url/k", []),
      why: REWRITE_URL,
    },
  },
  {
    name: "R129 proxy rewrite to a missing route",
    path: "/api/px/rewrite-missing",
    statusOnly: true,
  },
  { name: "R130 proxy NextResponse.json", path: "/api/px/json" },
  {
    name: "R128 next({ request: { headers } }) with a fresh set",
    path: "/api/px/fresh",
    headers: { "x-a": "1" },
  },
  // Deliberate differences in status (spec §0).
  {
    name: "R15/A2 malformed escape in a param",
    path: "/api/items/%E0%A4%A",
    statusDiffers: { next: 500, approute: 400, why: "A2: a client error is not a server error" },
  },
  {
    name: "R15/A2 malformed escape in a catch-all",
    path: "/api/docs/a/%ZZ",
    statusDiffers: { next: 500, approute: 400, why: "A2" },
  },
  {
    name: "R18/A2 TRACE",
    method: "TRACE",
    path: "/api/hello",
    statusDiffers: { next: 500, approute: 400, why: "A2" },
  },
  {
    name: "R136 request.json() on a body with a byte order mark",
    method: "POST",
    path: "/api/json",
    body: '\uFEFF{"bom":true}',
    headers: { "content-type": "application/json; charset=utf-8" },
  },
  {
    name: "R138 request.text() keeps a byte order mark out",
    method: "POST",
    path: "/api/methods",
    body: "\uFEFFtext",
    headers: { "content-type": "text/plain" },
  },
  {
    name: "R138 a chunked request body",
    method: "POST",
    path: "/api/methods",
    headers: { "transfer-encoding": "chunked" },
    body: "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
  },
  { name: "R2 app/route.js serves /", path: "/?a=1" },
  { name: "R2 HEAD on /", method: "HEAD", path: "/" },
  { name: "R2 /index is not /", path: "/index", statusOnly: true },
  { name: "R13 //?x on the root", path: "//?x=1" },
  { name: "R14 a param that is only an encoded slash", path: "/api/items/%2F" },
  { name: "R14 lower-case escapes stay as sent in the pathname", path: "/api/items/caf%c3%a9" },
  {
    name: "R128/R129 a header on the proxy's rewrite response",
    path: "/api/px/rewrite-h",
    differs: {
      header: "x-middleware-rewrite",
      next: /^(?:http:\/\/localhost:\d+)?\/api\/hello$/,
      approute: null,
      why: "A4: no internal header leaves the server",
    },
  },
  {
    name: "R45 request cookies: quotes, = in values, empty values and names",
    path: "/api/ck/read",
    headers: { cookie: 'q="quoted"; eq=a=b; empty=; =noname; a=1;;  ; sp = x ' },
  },
  { name: "R45 request cookies: only separators", path: "/api/ck/read", headers: { cookie: ";;" } },
  { name: "R132 the proxy's request.url with repeated keys", path: "/api/px/method?a=1&b=&a=2&c" },
  {
    name: "R132 the proxy's request.url with encoded characters",
    path: "/api/px/method?q=a%20b+c&e=%E2%82%AC",
  },
  { name: "R132 the proxy's request.url after dot segments", path: "/api/px/z/./../method?x=1" },
  {
    name: "R148 config headers with params on a 405",
    method: "POST",
    path: "/api/m/head-only",
    differs: { header: "allow", next: null, approute: "HEAD, OPTIONS", why: "A1" },
  },
  { name: "R148 config headers on an automatic OPTIONS", method: "OPTIONS", path: "/api/m/all" },
  { name: "R150 afterFiles rewrite with a query, and request.url", path: "/cfg-q/5?a=1&h" },
  { name: "R150 afterFiles rewrite, query key shared with the destination", path: "/cfg-q/6?fixed=2" },
  { name: "R150 rewrite with missing: header absent", path: "/cfg-miss?z=1" },
  {
    name: "R150 rewrite with missing: header present",
    path: "/cfg-miss",
    headers: { "x-no": "1" },
    statusOnly: true,
  },
  { name: "R149 redirect with a has: query capture", path: "/cfg-has?go=ok" },
  { name: "R149 redirect with has: no match", path: "/cfg-has?go=no", statusOnly: true },
  { name: "R149 redirect statusCode 301 to another origin", path: "/cfg-code?q=1" },
  { name: "R149 redirect with a splat", path: "/cfg-splat/a/b%20c?x=1" },
  // Other methods on prerendered routes: next start answers them before the route module, with
  // the same Allow list sent as two header lines.
  {
    name: "R73 prerendered route: POST",
    method: "POST",
    path: "/api/cache/static",
    body: "x",
    differs: { header: "allow", next: "GET\nHEAD", approute: "GET, HEAD", why: "one line, same list" },
  },
  {
    name: "R73 prerendered route: DELETE on ISR",
    method: "DELETE",
    path: "/api/cache/reval",
    differs: { header: "allow", next: "GET\nHEAD", approute: "GET, HEAD", why: "one line, same list" },
  },
  {
    name: "R73/R83 prerendered route: POST to an unknown param with dynamicParams = false",
    method: "POST",
    path: "/api/gsp/zzz",
    statusOnly: true,
  },
  {
    name: "R73/R18 prerendered route: PROPFIND",
    method: "PROPFIND",
    path: "/api/cache/forever",
    differs: { header: "allow", next: "GET\nHEAD", approute: "GET, HEAD", why: "one line, same list" },
  },
  {
    name: "R73/R22 prerendered route: OPTIONS on dynamic = error",
    method: "OPTIONS",
    path: "/api/cache/error",
    differs: { header: "allow", next: "GET\nHEAD", approute: "GET, HEAD", why: "one line, same list" },
  },
  {
    name: "R80/R22 bailed-out route: OPTIONS stays automatic",
    method: "OPTIONS",
    path: "/api/cache/auto-dyn",
  },

  // HEAD and OPTIONS around redirects, streams, caches and the proxy (R20, R22, R145).
  { name: "R11/R145 HEAD on a trailing-slash redirect", method: "HEAD", path: "/api/hello/" },
  { name: "R145 HEAD on a handler redirect", method: "HEAD", path: "/api/redir?kind=301" },
  { name: "R145 HEAD on a stream body", method: "HEAD", path: "/api/bodies?kind=stream" },
  { name: "R92 HEAD on a revalidated route", method: "HEAD", path: "/api/cache/reval" },
  { name: "R130/R145 HEAD on a proxy response", method: "HEAD", path: "/api/px/json" },
  { name: "R20 HEAD with a query", method: "HEAD", path: "/api/url/h?a=1&a=2" },
  {
    name: "R22 CORS preflight to an automatic OPTIONS",
    method: "OPTIONS",
    path: "/api/items/1",
    headers: { origin: "http://o.example", "access-control-request-method": "PUT" },
  },
  { name: "R22 automatic OPTIONS on a catch-all", method: "OPTIONS", path: "/api/docs/a/b" },
  {
    name: "R73/R22 OPTIONS on a force-static route",
    method: "OPTIONS",
    path: "/api/cache/static",
    differs: { header: "allow", next: "GET\nHEAD", approute: "GET, HEAD", why: "one line, same list" },
  },
  // Less common calls in a handler (R28, R30, R31, R52, R107-R109, R114).
  { name: "R28 forbidden() without authInterrupts", path: "/api/misc?kind=forbidden" },
  { name: "R28 unauthorized() without authInterrupts", path: "/api/misc?kind=unauthorized" },
  {
    name: "R30 redirect() in a server-action-looking POST",
    method: "POST",
    path: "/api/misc?kind=redirect",
    headers: { "next-action": "abc" },
  },
  { name: "R29 redirect() in a plain POST", method: "POST", path: "/api/misc?kind=redirect" },
  { name: "R31 NextResponse.rewrite() in a handler", path: "/api/misc?kind=rewrite" },
  { name: "R108 updateTag() in a handler", path: "/api/misc?kind=update-tag" },
  { name: "R109 refresh() in a handler", path: "/api/misc?kind=refresh" },
  { name: "R107 revalidateTag(tag, profile)", path: "/api/misc?kind=revalidate-tag" },
  { name: "R114 unstable_cache called twice", path: "/api/misc?kind=unstable-cache" },
  { name: "R52 Response.json(undefined)", path: "/api/misc?kind=json-undefined" },
  { name: "R51 a 101 status", path: "/api/misc?kind=status-101" },
  { name: "R24 Response.error()", path: "/api/misc?kind=error" },
  // Paths and params at the edges (R3, R14, R17, R26, R86).
  { name: "R3 a param with a dot", path: "/api/items/a.json" },
  { name: "R14 + stays + in a param", path: "/api/items/a+b" },
  { name: "R14 %00 in a param", path: "/api/items/a%00b" },
  { name: "R14 %2F in a static segment", path: "/api%2Fhello", statusOnly: true },
  { name: "R14 another encoding of a static segment", path: "/api/hell%6F", statusOnly: true },
  { name: "R2 case matters", path: "/API/hello", statusOnly: true },
  { name: "R2 a ; in a segment", path: "/api/hello;x", statusOnly: true },
  {
    name: "R17/A1 a route file without handlers",
    path: "/api/empty",
    differs: { header: "allow", next: null, approute: "OPTIONS", why: "A1" },
  },
  { name: "R22 OPTIONS on a route file without handlers", method: "OPTIONS", path: "/api/empty" },
  { name: "R26 a stream that fails after its first chunk", path: "/api/stream-error" },
  { name: "R86 runtime = edge", path: "/api/edge?q=1", headers: { "x-a": "1" } },
  { name: "R86 runtime = edge, POST body", method: "POST", path: "/api/edge", body: "edge body" },
  // Request members (R34, R138).
  { name: "R138 Request members on a GET", path: "/api/req", headers: { referer: "http://r.example/x" } },
  {
    name: "R138 a GET with a body",
    path: "/api/req",
    body: "ignored?",
    headers: { "content-type": "text/plain" },
  },
  { name: "R138 Request members on a POST", method: "POST", path: "/api/req", body: "é body" },
  { name: "R138 a POST without a body", method: "POST", path: "/api/req" },
  // Ordering with the proxy and config (R127).
  { name: "R127 trailing slash redirects before the proxy", path: "/api/px/headers/?a=1" },
  { name: "R22/R128 automatic OPTIONS under the proxy", method: "OPTIONS", path: "/api/px/headers" },
  { name: "R148 config headers on a path with no route", path: "/cfg/x/y", statusOnly: true },
  // On-demand revalidation and generated static entries (R83, R84, R110, R115).
  { name: "R74 revalidated route before revalidatePath", path: "/api/cache/tagged" },
  { name: "R110 revalidatePath from a POST", method: "POST", path: "/api/cache/purge" },
  { name: "R84 first GET after revalidatePath", path: "/api/cache/tagged" },
  { name: "R84 second GET after revalidatePath", path: "/api/cache/tagged" },
  { name: "R83 force-static param, first request", path: "/api/cache/fs/one" },
  { name: "R83 force-static param, second request", path: "/api/cache/fs/one" },
  { name: "R115 unstable_noStore() makes revalidate = 60 dynamic", path: "/api/cache/nostore" },
  { name: "R68 draftMode() disabled", path: "/api/draft" },
  { name: "R132 proxy returning nothing", path: "/api/px/plain" },
  { name: "R130 proxy throwing", path: "/api/px/throw", statusOnly: true },
  { name: "R130/R60 proxy response with a cookie", path: "/api/px/deny-cookie" },
  {
    name: "R129/R131 proxy rewrite with a cookie",
    path: "/api/px/rewrite-cookie",
    differs: {
      header: "x-middleware-rewrite",
      next: /^(?:http:\/\/localhost:\d+)?\/api\/hello$/,
      approute: null,
      why: "A4: no internal header leaves the server",
    },
  },
  { name: "R130 proxy 303 redirect with a cookie", path: "/api/px/redirect-cookie" },
  { name: "R128 NextResponse.next with response headers", path: "/api/px/plain?init=1" },
  { name: "R128 proxy on a path with no route", path: "/api/px/none", statusOnly: true },
  // Request headers as handlers see them (R47, R64).
  {
    name: "R47 request headers, as sent",
    path: "/api/hdrs",
    headers: { "x-a": "1", "user-agent": "t/1", accept: "*/*" },
  },
  {
    name: "R47 repeated request headers",
    path: "/api/hdrs",
    headers: { "x-dup": "1\r\nx-dup: 2\r\nuser-agent: a\r\nuser-agent: b\r\ncookie: a=1\r\ncookie: b=2" },
  },
  {
    name: "R47 x-forwarded-* from the client",
    path: "/api/hdrs",
    headers: { "x-forwarded-for": "1.2.3.4", "x-forwarded-host": "evil.example" },
  },
  // X-Forwarded-* around the proxy (R47, R128): next start adds them before the proxy runs, and
  // again after a proxy replaced the header set — then from the connection, not the client's.
  { name: "R47 the proxy sees X-Forwarded-* added", path: "/api/px/fwd?m=sc" },
  {
    name: "R47 the proxy sees the client's X-Forwarded-*",
    path: "/api/px/fwd?m=sc",
    headers: { "x-forwarded-for": "1.2.3.4", "x-forwarded-proto": "https", "x-forwarded-port": "8443" },
  },
  { name: "R47 X-Forwarded-* after NextResponse.next()", path: "/api/px/fwd?m=next" },
  {
    name: "R47 the client's X-Forwarded-For after NextResponse.next()",
    path: "/api/px/fwd?m=next",
    headers: { "x-forwarded-for": "1.2.3.4" },
  },
  {
    name: "R47/R128 the client's X-Forwarded-For in a copied header set",
    path: "/api/px/fwd?m=copy",
    headers: { "x-forwarded-for": "1.2.3.4", "x-forwarded-host": "evil.example" },
  },
  { name: "R42/R128 a header set with X-Forwarded-Proto: https", path: "/api/px/fwd?m=https" },
  { name: "R47/R128 X-Forwarded-* after a fresh header set", path: "/api/px/fwd?m=fresh" },
  // No Host (HTTP/1.0): X-Forwarded-Host is the -H host name both servers were given (R47).
  { name: "R47 HTTP/1.0 without Host: X-Forwarded-Host is the listen name", path: "/api/hdrs", http10: true },
  { name: "R47 HTTP/1.0 without Host: what the proxy sees", path: "/api/px/fwd?m=sc", http10: true },
  { name: "R47/R128 HTTP/1.0 without Host and a fresh header set", path: "/api/px/fresh", http10: true },
  {
    name: "R47/R128 a fresh header set drops the client's X-Forwarded-*",
    path: "/api/px/fwd?m=fresh",
    headers: { "x-forwarded-for": "1.2.3.4", "x-forwarded-port": "8443", "x-forwarded-proto": "https" },
  },
  // Conditional proxy matchers (R126).
  { name: "R126 has: header present → proxy runs", path: "/api/pxh/go", headers: { "x-go": "yes" } },
  { name: "R126 has: header absent → proxy skipped", path: "/api/pxh/go" },
  {
    name: "R126 has: header with another value → proxy skipped",
    path: "/api/pxh/go",
    headers: { "x-go": "no" },
  },
  {
    name: "R126 missing: cookie present → proxy skipped",
    path: "/api/pxh/go",
    headers: { "x-go": "yes", cookie: "skip=1" },
  },
  {
    name: "R129/A4 proxy rewrite keeps the method and body",
    method: "POST",
    path: "/api/px/rewrite-post?orig=1",
    body: "payload",
    headers: { "content-type": "text/plain" },
    differs: {
      header: "x-middleware-rewrite",
      next: /^(?:http:\/\/localhost:\d+)?\/api\/rw-echo\?via=rw$/,
      approute: null,
      why: "A4: no internal header leaves the server",
    },
    bodyDiffers: {
      next: '{"url":"<origin>/api/px/rewrite-post?orig=1","body":"payload"}',
      approute: '{"url":"<origin>/api/rw-echo?via=rw","body":"payload"}',
      why: REWRITE_URL,
    },
  },
  { name: "R132 proxy runs for OPTIONS", method: "OPTIONS", path: "/api/px/method" },
  { name: "R132 proxy runs for HEAD", method: "HEAD", path: "/api/px/method" },
  { name: "R126/R16 proxy matches the resolved path", path: "/api/px/x/../method" },
  // More request and response shapes.
  { name: "R140 compression of a large JSON body", path: "/api/big", headers: { "accept-encoding": "gzip" } },
  {
    name: "R118 userAgent()",
    path: "/api/ua",
    headers: {
      "user-agent":
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    },
  },
  {
    name: "R118 userAgent() of a bot",
    path: "/api/ua",
    headers: { "user-agent": "Googlebot/2.1 (+http://www.google.com/bot.html)" },
  },
  { name: "R118 userAgent() without a header", path: "/api/ua" },
  { name: "R43/R53 nextUrl.clone() edited into a redirect", path: "/api/nurl?kind=clone-redirect&keep=1" },
  { name: "R43 nextUrl edits", path: "/api/nurl?kind=mutate" },
  { name: "R50 new NextRequest with a relative URL throws", path: "/api/nurl?kind=relative-request" },
  { name: "R50 new NextRequest with nextConfig.basePath", path: "/api/nurl?kind=base-path-request" },
  { name: "R52 Response.json with status 204 throws", path: "/api/nurl?kind=json-204" },
  { name: "R63 a 304 from a handler", path: "/api/nurl?kind=null-304" },
  { name: "R42 x-forwarded-proto: https", path: "/api/url/p?x=1", headers: { "x-forwarded-proto": "https" } },
  { name: "R82 generateStaticParams entry", path: "/api/gsp/a" },
  { name: "R83 dynamicParams = false, unknown param", path: "/api/gsp/zzz", statusOnly: true },
  { name: "R82 generateStaticParams, dynamicParams on, listed", path: "/api/gsp-open/a" },
  { name: "R83 generateStaticParams, dynamicParams on, not listed", path: "/api/gsp-open/other" },
  { name: "R74/R79 dynamic = error", path: "/api/cache/error" },
  { name: "R71 connection() makes revalidate = 60 dynamic", path: "/api/cache/conn" },
  {
    name: "R137 formData(), urlencoded",
    method: "POST",
    path: "/api/form",
    body: "a=1&b=x+y&a=%C3%A9",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  },
  {
    name: "R137 formData(), multipart with a file",
    method: "POST",
    path: "/api/form",
    body: '--XyZ\r\ncontent-disposition: form-data; name="name"\r\n\r\nbob\r\n--XyZ\r\ncontent-disposition: form-data; name="file"; filename="x.txt"\r\ncontent-type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n',
    headers: { "content-type": "multipart/form-data; boundary=XyZ" },
  },
  { name: "R137 formData() without a content type", method: "POST", path: "/api/form", body: "a=1" },
  // Found by the differential fuzzer (next-fuzz.test.ts).
  {
    name: "R13 // redirect: one hop, dot segments resolved, query and fragment as sent",
    path: "/api/url/..//x/?a&b=%7E#frag",
  },
  {
    name: "R11 trailing-slash redirect after dot segments, query printed as next start prints it",
    path: "/api/url/%2e%2e/hello/?b&a=%7E~+x&1=y&a=(!)&c=%E0%A4%A",
  },
  { name: "R149 redirects() query printed as next start prints it", path: "/cfg-splat/a?x=~%20&x=2&y=%27" },
  {
    name: "R133 internal request headers next start strips never reach a handler",
    path: "/api/hdrs",
    headers: {
      "x-matched-path": "/api/hello",
      "x-now-route-matches": "nxtPid=admin",
      "x-nextjs-data": "1",
      "next-resume": "1",
      "x-next-resume-state-length": "3",
      "next-url": "/admin",
    },
  },
  {
    name: "R64 headers() hides the client router's headers, request.headers keeps them",
    path: "/api/hdrs",
    headers: {
      "next-router-state-tree": "%5B%5D",
      "next-router-segment-prefetch": "/_tree",
      "next-router-prefetch": "1",
      "x-nextjs-request-id": "5",
    },
  },
  {
    name: "R18/A2 TRACE on a proxied route never reaches the proxy",
    method: "TRACE",
    path: "/api/px/guard",
    statusDiffers: { next: 500, approute: 400, why: "A2" },
  },
  {
    name: "R18/R73 TRACE on a prerendered param",
    method: "TRACE",
    path: "/api/gsp/a",
    statusDiffers: { next: 500, approute: 405, why: "R73: any other method on a prerendered route" },
  },
  { name: "R18 TRACE on a path with no route", method: "TRACE", path: "/nope", statusOnly: true },
  {
    name: "R68 a stale __prerender_bypass cookie is expired",
    path: "/api/hello",
    headers: { cookie: "__prerender_bypass=1" },
  },
  {
    name: "R68 expired draft cookies come before the route's own",
    path: "/api/ck/raw",
    headers: { cookie: "__next_preview_data=x; a=1" },
  },
  {
    name: "R68 stale draft cookies on a 405 and behind the proxy",
    method: "POST",
    path: "/api/px/headers",
    headers: { cookie: "__prerender_bypass=1; __next_preview_data=2" },
    differs: { header: "allow", next: null, approute: "GET, HEAD, OPTIONS", why: "A1" },
  },
  {
    name: "R68 a proxy's own answer leaves draft cookies alone",
    path: "/api/px/deny",
    headers: { cookie: "__prerender_bypass=1" },
  },
  { name: "R42 a fragment in the target never reaches request.url", path: "/api/url/f#frag" },
  { name: "R42/R132 nor the proxy's request.url", path: "/api/px/method#frag" },
  {
    name: "R129/R42 a proxy rewrite under X-Forwarded-Proto: https",
    path: "/api/px/rewrite",
    headers: { "x-forwarded-proto": "https" },
    // (Bound to 127.0.0.1, next start forwards a proxy rewrite to itself over HTTP, see
    // StartNextOptions.host, here to an https origin it does not serve, and answers 500.)
    differs: {
      header: "x-middleware-rewrite",
      next: /^(?:https?:\/\/localhost:\d+)?\/api\/hello$/,
      approute: null,
      why: "A4: no internal header leaves the server",
    },
  },
  {
    name: "A5 an absolute-form target never steers a redirect",
    path: "http://evil.example/api/hello",
    statusDiffers: { next: 308, approute: 200, why: "A5: next start redirects to the client's authority" },
  },
  {
    name: "A5 an absolute-form target with an upper-case scheme",
    path: "HTTP://x/api/items/1",
    statusDiffers: { next: 308, approute: 200, why: "A5; the scheme is case-insensitive (RFC 3986)" },
  },
  {
    name: "R15/A2 malformed escape in a param, with a method the route lacks",
    method: "DELETE",
    path: "/api/url/0%ZZ",
    statusDiffers: { next: 500, approute: 400, why: "A2: the path is refused before the method" },
  },
];

function raw(c: Case): string {
  const headers = c.http10 ? { ...c.headers } : { host: "localhost", connection: "close", ...c.headers };
  if (c.body !== undefined && c.headers?.["transfer-encoding"] === undefined)
    Object.assign(headers, { "content-length": String(Buffer.byteLength(c.body)) });
  let text = `${c.method ?? "GET"} ${c.path} HTTP/${c.http10 ? "1.0" : "1.1"}\r\n`;
  for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
  return `${text}\r\n${c.body ?? ""}`;
}

function comparable(res: RawResponse, c: Case, origin: string) {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(res.headers)) {
    if (IGNORED.has(name)) continue;
    let value = values.join("\n");
    if (name === "set-cookie" && c.cookieTimes) value = value.replace(/; Expires=[^;]*/g, "; Expires=<time>");
    // Absolute redirects to the server itself name each server's own origin (R42).
    if (name === "location") value = value.replaceAll(origin, "<origin>");
    // x-forwarded-port names each server's own port (R47), here in a header a proxy set.
    headers[name] = value.replaceAll(`"${new URL(origin).port}"`, '"<port>"');
  }
  // Both servers report their own origin in request.url (R42): compare the paths.
  const body = res.body
    .replaceAll(origin, "<origin>")
    .replaceAll(origin.replace("http:", "https:"), "<https-origin>")
    // x-forwarded-port names each server's own port (R47).
    .replaceAll(`"${new URL(origin).port}"`, '"<port>"');
  return { status: res.status, headers, body };
}

// Both servers listen on `localhost`: next start then keeps a proxy rewrite inside one routing pass,
// as deployed (see StartNextOptions.host), and both name the same host in X-Forwarded-Host (R47).
describe("differential: approute vs next start", { timeout: 600_000 }, () => {
  let next: NextServer;
  let approute: FixtureServer;

  before(async () => {
    next = await startNext(FIXTURE, undefined, { host: "localhost" });
    approute = await startFixture("compat", { root: next.dir, serve: { hostname: "localhost" } });
  });

  after(async () => {
    next?.close();
    await approute?.close();
  });

  for (const c of cases) {
    test(c.name, async () => {
      const head = c.method === "HEAD";
      const [a, b] = await Promise.all([
        rawRequest(next.url, raw(c), { head }),
        rawRequest(approute.url, raw(c), { head }),
      ]);
      const nextSide = comparable(a, c, next.origin);
      const ours = comparable(b, c, approute.url);
      if (c.statusDiffers) {
        assert.equal(nextSide.status, c.statusDiffers.next, "next's status changed");
        assert.equal(ours.status, c.statusDiffers.approute, `approute's status (${c.statusDiffers.why})`);
        return;
      }
      if (c.bodyDiffers) {
        assert.equal(nextSide.body, c.bodyDiffers.next, "next's body changed");
        assert.equal(ours.body, c.bodyDiffers.approute, `approute's body (${c.bodyDiffers.why})`);
        nextSide.body = ours.body;
      }
      if (c.statusOnly) {
        assert.equal(ours.status, nextSide.status);
        return;
      }
      if (c.differs) {
        const { header, next: nextValue, approute: ourValue } = c.differs;
        if (nextValue instanceof RegExp)
          assert.match(nextSide.headers[header] ?? "", nextValue, `next's ${header} changed`);
        else assert.equal(nextSide.headers[header] ?? null, nextValue, `next's ${header} changed`);
        assert.equal(ours.headers[header] ?? null, ourValue, `approute's ${header}`);
        delete nextSide.headers[header];
        delete ours.headers[header];
      }
      assert.deepEqual(ours, nextSide);
    });
  }
});
