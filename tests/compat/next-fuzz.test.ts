// Property-based differential check against real Next.js 16: fast-check generates request targets
// (percent-encodings valid and not, dot segments, repeated slashes, unicode, `;`, trailing slashes,
// hostile query keys), internal and forwarding headers (security checklist items 21–24) and methods;
// each request goes byte for byte over a raw socket to `next start` and to approute, serving the same
// fixture app (tests/compat/app), and status, the headers that matter and the JSON bodies the
// fixture's handlers echo must agree. Where approute deliberately differs (spec §0) the difference is
// asserted as such in `DELIBERATE`, with its reason.
//
// The seed is fixed (FUZZ_SEED overrides it, FUZZ_RUNS the number of runs per property); a failure
// prints the seed, the shrunk request and both answers. FUZZ_SURVEY=1 lists every difference instead
// of stopping at the first.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type NextServer, startNext } from "../helpers/next.ts";
import { type RawResponse, rawRequest } from "../helpers/raw.ts";

const FIXTURE = fileURLToPath(new URL("./app/", import.meta.url));
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SURVEY = process.env.FUZZ_SURVEY === "1";

interface Req {
  method: string;
  target: string;
  /** The target next start gets instead, where its own answer to `target` is a known hazard. */
  nextTarget?: string;
  headers: Array<[string, string]>;
  body?: string;
}

// --- Generators ---------------------------------------------------------------------------------

const plain = fc.stringMatching(/^[a-zA-Z0-9_~-]{1,5}$/);
/** Escapes that decode. */
const goodEscape = fc.constantFrom(
  "%20",
  "%25",
  "%2F",
  "%2f",
  "%2E",
  "%2e",
  "%2E%2E",
  "%00",
  "%5C",
  "%5c",
  "%3F",
  "%23",
  "%3B",
  "%26",
  "%3D",
  "%2B",
  "%252F",
  "%C3%A9",
  "%c3%a9",
  "%E2%82%AC",
  "%F0%9F%98%80",
  "%61",
  "%5F",
  "%7E",
);
/** Escapes that do not: not hex, truncated, overlong, surrogates, stray continuation bytes. */
const badEscape = fc.constantFrom(
  "%ZZ",
  "%",
  "%4",
  "%E0%A4%A",
  "%C0%AF",
  "%C0%AE",
  "%E0%80%AF",
  "%ED%A0%80",
  "%FF",
  "%80",
  "%F8%88%80%80%80",
);
/** Characters sent raw in the request line. */
const rawChar = fc.constantFrom(
  ";",
  ";x=1",
  "+",
  "@",
  ":",
  "!",
  "$",
  "'",
  "(",
  ")",
  "*",
  ",",
  "=",
  "&",
  "{",
  "}",
  "|",
  "^",
  "`",
  '"',
  "<",
  ">",
  "[",
  "]",
  "~",
  ".",
  "\\",
  "é",
  "€",
  "😀",
);
const unicode = fc.string({ unit: "grapheme", minLength: 1, maxLength: 2 }).map(encodeURIComponent);

const segment = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(fc.oneof(plain, goodEscape, rawChar, unicode), { minLength: 1, maxLength: 3 })
      .map((p) => p.join("")),
  },
  { weight: 1, arbitrary: fc.tuple(plain, badEscape).map(([a, b]) => a + b) },
  { weight: 2, arbitrary: fc.constantFrom(".", "..", "%2e", "%2E%2E", ".%2e", "%2e.", "...") },
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 3, arbitrary: plain },
);

/** Bases that reach the fixture's dynamic, catch-all, optional catch-all, proxied and rewritten routes. */
const base = fc.constantFrom(
  "",
  "/api/items",
  "/api/docs",
  "/api/opt",
  "/api/url",
  "/api/p",
  "/api/p/new",
  "/api/px",
  "/api/px/guard",
  "/api/px/method",
  "/api/hello",
  "/api/gsp",
  "/api/gsp-open",
  "/api/cache/fs",
  "/grp",
  "/cfg",
  "/cfg-bf",
  "/cfg-fb",
  "/cfg-splat",
  "/cfg-perm",
);

const queryKey = fc.oneof(
  plain,
  fc.constantFrom(
    "a",
    "a",
    "b",
    "%61",
    "a%20b",
    "a+b",
    "__proto__",
    "constructor",
    "prototype",
    "__proto__[x]",
    "nxtPid",
    "nxtPslug",
    "nxtPrest",
    "nxtIid",
    "nxtP",
    "__nextDataReq",
    "_rsc",
    "__nextLocale",
    "a[]",
    "",
  ),
);
const queryValue = fc.oneof(
  fc.constantFrom("", "1", "2", "a+b", "//evil.example", "https:evil.example", "/\\evil.example", "admin"),
  plain,
  goodEscape,
  badEscape,
  unicode,
);
const query = fc
  .array(
    fc.oneof(
      fc.tuple(queryKey, queryValue).map(([k, v]) => `${k}=${v}`),
      queryKey,
      fc.constant(""),
    ),
    { maxLength: 4 },
  )
  .chain((pairs) =>
    fc.constantFrom(
      pairs.length === 0 ? "" : `?${pairs.join("&")}`,
      pairs.length === 0 ? "?" : `?${pairs.join("&")}`,
    ),
  );

const target = fc
  .tuple(
    base,
    fc.array(segment, { maxLength: 3 }),
    fc.constantFrom(false, false, false, true),
    query,
    fc.constantFrom("", "", "", "#f"),
  )
  .map(([b, segs, slash, q, hash]) => {
    let path = b + segs.map((s) => `/${s}`).join("");
    if (slash || path === "") path += "/";
    return path + q + hash;
  });

/** Internal headers a client must not be able to speak with (checklist 21–24). */
const hostileHeader = fc.constantFrom<[string, string]>(
  ["x-middleware-subrequest", "proxy:proxy:proxy:proxy:proxy"],
  ["x-middleware-subrequest", "middleware:middleware:middleware:middleware:middleware"],
  ["x-middleware-subrequest", "src/proxy:src/proxy:src/proxy:src/proxy:src/proxy"],
  ["x-middleware-rewrite", "/api/hello"],
  ["x-middleware-rewrite", "http://evil.example/api/hello"],
  ["x-middleware-next", "1"],
  ["x-middleware-override-headers", "x-a"],
  ["x-middleware-request-x-a", "evil"],
  ["x-middleware-set-cookie", "role=admin"],
  ["x-middleware-redirect", "http://evil.example/"],
  ["x-middleware-skip", "1"],
  ["x-middleware-prefetch", "1"],
  ["x-now-route-matches", "nxtPid=admin"],
  ["x-now-route-matches", "1=admin&nxtPslug=x"],
  ["rsc", "1"],
  ["next-router-state-tree", "%5B%22%22%5D"],
  ["next-router-prefetch", "1"],
  ["next-router-segment-prefetch", "/_tree"],
  ["next-action", "abc"],
  ["next-url", "/admin"],
  ["next-resume", "1"],
  ["x-invoke-path", "/api/hello"],
  ["x-invoke-query", "%7B%22id%22%3A%22admin%22%7D"],
  ["x-invoke-status", "500"],
  ["x-invoke-output", "/api/hello"],
  ["x-nextjs-data", "1"],
  ["x-matched-path", "/api/hello"],
  ["x-prerender-revalidate", "1"],
  ["x-next-revalidated-tags", "t"],
  ["host", "evil.example"],
  ["host", "localhost:1"],
  ["host", "a@b"],
  ["x-forwarded-host", "evil.example"],
  ["x-forwarded-proto", "https"],
  ["x-forwarded-proto", "javascript"],
  ["x-forwarded-port", "1"],
  ["x-forwarded-for", "1.2.3.4"],
  ["forwarded", "for=1.2.3.4;host=evil.example;proto=https"],
  ["cookie", "role=admin"],
  ["cookie", "__prerender_bypass=1"],
  ["location", "http://evil.example/"],
  ["x-http-method-override", "DELETE"],
);
const headerSet = fc.uniqueArray(hostileHeader, { maxLength: 4, selector: ([name]) => name });

/** Targets the header property aims at: proxy-guarded, proxied, echoing and prerendered routes. */
const headerTarget = fc.constantFrom(
  "/api/px/guard",
  "/api/px/method?a=1",
  "/api/px/headers",
  "/api/px/rewrite",
  "/api/url/h?x=1",
  "/api/items/1",
  "/api/hello",
  "/api/hdrs",
  "/api/ck/read",
  "/api/cache/static",
  "/api/cache/reval",
  "/api/gsp/a",
  "/api/gsp/zzz",
  "/cfg/7",
  "/api/hello/",
  "//api/hello",
);

const method = fc.constantFrom(
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "PROPFIND",
  "TRACE",
  "QUERY",
  "PURGE",
  "get",
  "FOO",
);

/** Spellings of the proxy-guarded `/api/px/guard` (checklist 5): each must get the same gate. */
const guardPath = fc.constantFrom(
  "/api/px/guard",
  "//api/px/guard",
  "/api/px//guard",
  "/api/px/guard/",
  "/api/px/GUARD",
  "/API/px/guard",
  "/api/px/guard;x",
  "/api/px/guard%00",
  "/api/px/guard.rsc",
  "/api/px/guard.json",
  "/api/px/%67uard",
  "/api/%70x/guard",
  "/api/px%2Fguard",
  "/api/px/x/../guard",
  "/api/px/./guard",
  "/api/px/%2e/guard",
  "/api/px/x/%2e%2e/guard",
  "/api/px\\guard",
  "/api/px/guard%2F",
  "/api/px/guard%20",
  "/api/px/guard?x=1",
  "/api/px/guard#x",
  "/api/px/guard?__nextDataReq=1",
  "/api/px/guard?_rsc=1",
  "/_next/data/x/api/px/guard.json",
  "/api/px/guard/index",
);
const gateCookie = fc.constantFrom(
  undefined,
  "role=admin",
  "role=Admin",
  "role=admin2",
  "role=%61dmin",
  'role="admin"',
  "role=user; role=admin",
  "role=admin; role=user",
  "ROLE=admin",
  " role = admin ",
);

/** Cookie headers (checklist 35): duplicates, quotes, `=` in values, bad escapes, empty parts. */
const cookiePart = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("a", "b", "A", "flag", "__proto__", "constructor", "", " a", "a b", "%61"),
      queryValue,
    )
    .map(([k, v]) => `${k}=${v}`),
  fc.constantFrom("flag", "=", "==", ";", " ", 'q="x"', "a=1=2", "a=%", "a=%E0%A4%A", "é=ü", "a=\t"),
);
const cookieHeader = fc
  .array(cookiePart, { minLength: 1, maxLength: 5 })
  .chain((parts) => fc.constantFrom(parts.join("; "), parts.join(";"), parts.join(" ; ")));

/** Bodies for request.json() and request.formData() (R136, R137, checklist 31–32). */
const jsonBody = fc.oneof(
  fc.json({ maxDepth: 2 }),
  fc.constantFrom(
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
    "{bad",
    "",
    "\uFEFF{}",
    "null",
    "1e400",
    '"\\ud800"',
    "[]",
    " {} ",
  ),
);
const formBody = fc
  .array(
    fc.tuple(queryKey, queryValue).map(([k, v]) => `${k}=${v}`),
    { maxLength: 4 },
  )
  .map((p) => p.join("&"));

// --- Comparison ---------------------------------------------------------------------------------

const COMPARED = ["location", "content-type", "allow", "cache-control", "set-cookie"];

interface Seen {
  status: number;
  headers: Record<string, string>;
  /** null: not compared (Next's HTML pages, HEAD). */
  body: string | null;
  html: boolean;
}

function toRaw(req: Req, side: "next" | "approute" = "approute"): string {
  const headers = new Map<string, string>([["host", "localhost"]]);
  for (const [k, v] of req.headers) headers.set(k, v);
  headers.set("connection", "close");
  if (req.body !== undefined) headers.set("content-length", String(Buffer.byteLength(req.body)));
  const target = side === "next" ? (req.nextTarget ?? req.target) : req.target;
  let text = `${req.method} ${target} HTTP/1.1\r\n`;
  for (const [k, v] of headers) text += `${k}: ${v}\r\n`;
  return `${text}\r\n${req.body ?? ""}`;
}

function seen(res: RawResponse | null, origin: string): Seen {
  if (res === null) return { status: 0, headers: {}, body: null, html: false };
  const port = new URL(origin).port;
  const local = (s: string) =>
    s
      .replaceAll(origin, "<origin>")
      .replaceAll(origin.replace("http:", "https:"), "<https-origin>")
      .replaceAll(`"${port}"`, '"<port>"');
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(res.headers)) {
    if (!COMPARED.includes(name) && !name.startsWith("x-middleware-")) continue;
    // One Allow line or several: the same list (next start repeats the header on prerendered routes).
    headers[name] =
      name === "allow"
        ? values
            .join(", ")
            .split(/\s*,\s*/)
            .join(", ")
        : local(values.join("\n"));
  }
  const html = /text\/html/.test(headers["content-type"] ?? "");
  return { status: res.status, headers, body: html ? null : local(res.body), html };
}

/** A path segment whose percent-escapes do not decode (R15). */
function malformedPath(targetText: string): boolean {
  const path = targetText.split(/[?#]/)[0]!;
  return path.split("/").some((s) => {
    try {
      decodeURIComponent(s);
      return false;
    } catch {
      return true;
    }
  });
}

/** The decoded keys of the target's query. */
function queryKeys(targetText: string): string[] {
  const q = targetText.indexOf("?");
  if (q === -1) return [];
  return [...new URLSearchParams(targetText.slice(q).split("#")[0]!).keys()];
}

function header(req: Req, name: string): string | undefined {
  return req.headers.find(([k]) => k === name)?.[1];
}

/** Next's bodies and Location compared no further (status and the other headers still are). */
function statusAndHeaders(next: Seen, ours: Seen): void {
  next.body = ours.body = null;
  delete next.headers.location;
  delete ours.headers.location;
}

/**
 * Deliberate differences (spec §0, security checklist): each one checks its side, then removes
 * what it covers, so the rest of the answer is still compared. Returns false when it does not apply.
 */
const DELIBERATE: Array<{
  why: string;
  /** It decides the whole comparison: no later rule applies. */
  settles?: true;
  apply(req: Req, next: Seen, ours: Seen): boolean;
}> = [
  {
    why: "A2/R15/R18: a malformed percent-escape in the path or TRACE is a client error: 400, not 500",
    settles: true,
    apply(req, next, ours) {
      if (next.status !== 500 || ours.status !== 400) return false;
      if (!malformedPath(req.target) && req.method !== "TRACE" && req.target !== "*") return false;
      next.headers = {};
      ours.headers = {};
      next.body = ours.body = null;
      next.status = ours.status;
      return true;
    },
  },
  {
    why: "A4: internal x-middleware-* headers never leave approute",
    apply(_req, next) {
      const internal = Object.keys(next.headers).filter((h) => h.startsWith("x-middleware-"));
      if (internal.length === 0) return false;
      for (const h of internal) delete next.headers[h];
      return true;
    },
  },
  {
    why: "checklist 24: a Host with `@` is invalid: approute answers 400, next start serves it",
    settles: true,
    apply(req, next, ours) {
      if (!header(req, "host")?.includes("@")) return false;
      assert.equal(ours.status, 400, "approute accepted a Host with @");
      next.status = 400;
      next.headers = ours.headers = {};
      next.body = ours.body = null;
      return true;
    },
  },
  {
    why:
      "checklist 21: an `RSC: 1` header changes nothing on approute; next start redirects it to a " +
      "cache-busting `?_rsc=` URL (its page protocol)",
    settles: true,
    apply(req, next, ours) {
      if (header(req, "rsc") === undefined || next.status !== 307) return false;
      if (!/[?&]_rsc\b/.test(next.headers.location ?? "")) return false;
      assert.notEqual(ours.status, 307, "approute redirected an RSC request");
      next.status = ours.status;
      next.headers = ours.headers = {};
      next.body = ours.body = null;
      return true;
    },
  },
  {
    why:
      "checklist 7: next start reads the query into a plain object, so `__proto__` vanishes and " +
      "`constructor` gains a phantom empty value; approute keeps both as sent",
    apply(req, next, ours) {
      if (!queryKeys(req.target).some((k) => k === "__proto__" || k === "constructor")) return false;
      statusAndHeaders(next, ours);
      return true;
    },
  },
  {
    why:
      "checklist 23: next start drops nxtP*/nxtI* query keys before a handler and renames them " +
      "(and drops `_rsc`) for the proxy — its internal param encoding; approute shows proxy and " +
      "handler the query as sent, so both see the same URL (CVE-2026-44574 family)",
    apply(req, next, ours) {
      const keys = queryKeys(req.target);
      if (!keys.some((k) => k.startsWith("nxtP") || k.startsWith("nxtI") || k === "_rsc")) return false;
      if (next.body === null || !next.headers["content-type"]?.includes("json")) return false;
      statusAndHeaders(next, ours);
      return true;
    },
  },
  {
    why: "R133/R134: approute drops every x-middleware-* request header; next start passes some on",
    apply(req, next) {
      if (!req.target.startsWith("/api/hdrs") || next.body === null) return false;
      if (!req.headers.some(([k]) => k.startsWith("x-middleware-"))) return false;
      const body = JSON.parse(next.body) as Record<string, Array<[string, string]>>;
      for (const key of Object.keys(body))
        body[key] = body[key]!.filter(([k]) => !k.startsWith("x-middleware-"));
      next.body = JSON.stringify(body);
      return true;
    },
  },
  {
    why:
      "checklist 21: `x-middleware-prefetch: 1` makes next start skip the route and answer `{}`; " +
      "approute ignores the header",
    settles: true,
    apply(req, next, ours) {
      if (header(req, "x-middleware-prefetch") === undefined || next.body !== "{}") return false;
      assert.notEqual(ours.body, "{}", "approute honoured x-middleware-prefetch");
      next.status = ours.status;
      next.headers = ours.headers = {};
      next.body = ours.body = null;
      return true;
    },
  },
  {
    why: "checklist 21: forged internal headers make next start fail with 500; approute ignores them",
    settles: true,
    apply(req, next, ours) {
      if (next.status !== 500 || ours.status >= 500) return false;
      if (!req.headers.some(([k]) => /^(x-middleware-|next-router-|rsc$|next-action$|x-invoke-)/.test(k)))
        return false;
      next.status = ours.status;
      next.headers = ours.headers = {};
      next.body = ours.body = null;
      return true;
    },
  },
  {
    why:
      "R73: another method on a prerendered route with a param — next start serves a listed " +
      "generateStaticParams entry's GET body with 200 (the handler never runs), or answers by " +
      "cache state (500 first, then 405/400 marked s-maxage=31536000); approute answers 405 with " +
      "Allow: GET, HEAD every time, never cacheable (a DELETE must not look like it succeeded)",
    settles: true,
    apply(req, next, ours) {
      if (req.method === "GET" || req.method === "HEAD") return false;
      if (ours.status !== 405 || ours.headers.allow !== "GET, HEAD") return false;
      const cacheable = next.headers["cache-control"]?.includes("s-maxage") === true;
      if (!(next.status === 500 || (cacheable && [200, 400, 405].includes(next.status)))) return false;
      assert.equal(ours.headers["cache-control"], undefined, "approute marked a 405 cacheable");
      next.status = 405;
      next.headers = ours.headers = {};
      next.body = ours.body = null;
      return true;
    },
  },
  {
    why: "A1: a 405 carries Allow (RFC 9110 §15.5.6); next start sends none",
    apply(_req, next, ours) {
      if (ours.status !== 405 || next.status !== 405 || next.headers.allow !== undefined) return false;
      assert.ok(ours.headers.allow, "approute's 405 without Allow");
      delete ours.headers.allow;
      return true;
    },
  },
  {
    why:
      "checklist 5: `<path>.rsc` and `/_next/data/<id>/<path>.json` are next start's page-data " +
      "spellings of `<path>` (its proxy then answers for `<path>`); approute has no pages, so they " +
      "are unknown paths: 404, never the route",
    settles: true,
    apply(req, next, ours) {
      const path = req.target.split(/[?#]/)[0]!;
      if (!/\.rsc$/.test(path) && !path.startsWith("/_next/data/")) return false;
      if (![403, 404].includes(next.status)) return false;
      assert.equal(ours.status, 404, "approute served a page-data spelling");
      next.status = 404;
      next.headers = ours.headers = {};
      next.body = ours.body = null;
      return true;
    },
  },
  {
    why:
      "R129/R42: with `X-Forwarded-Proto: https` next start turns its proxy's rewrite into an " +
      "https fetch of itself, which fails with 500; approute rewrites inside the server",
    settles: true,
    apply(req, next, ours) {
      if (next.status !== 500 || ours.status >= 500 || !req.target.startsWith("/api/px/rewrite"))
        return false;
      if (header(req, "x-forwarded-proto") !== "https") return false;
      next.status = ours.status;
      next.headers = ours.headers = {};
      next.body = ours.body = null;
      return true;
    },
  },
  {
    why: "CONNECT: next start drops the connection without an answer; approute answers 400",
    settles: true,
    apply(req, next, ours) {
      if (req.method !== "CONNECT" || next.status !== 0) return false;
      assert.equal(ours.status, 400, "approute's answer to CONNECT");
      next.status = 400;
      next.headers = ours.headers = {};
      next.body = ours.body = null;
      return true;
    },
  },
  {
    why: "Next's HTML error pages are compared by status only",
    apply(_req, next, ours) {
      if (!next.html) return false;
      for (const side of [next, ours]) {
        delete side.headers["content-type"];
        delete side.headers["cache-control"];
        side.body = null;
        side.html = false;
      }
      return true;
    },
  },
];

/** Properties of approute's answer alone, whatever Next does. */
function safe(req: Req, ours: Seen, next: Seen): string | null {
  if (ours.status === 0) return "approute closed the connection without an answer";
  if (ours.body === "secret" && !/admin|%61dmin/.test(header(req, "cookie") ?? ""))
    return "the proxy's gate let a request through without the admin cookie";
  if (Object.keys(ours.headers).some((h) => h.startsWith("x-middleware-")))
    return "approute sent an internal x-middleware-* header (A4)";
  const location = ours.headers.location;
  if (location && /^[\\/]{2}|^\/\\/.test(location)) return `open redirect: Location ${location}`;
  if (ours.body && /\n\s+at .+:\d+:\d+/.test(ours.body)) return "a stack trace in the body";
  if (ours.status >= 500 && next.status < 500) return `approute answered ${ours.status}`;
  return null;
}

async function send(url: string, req: Req, side: "next" | "approute"): Promise<RawResponse | null> {
  try {
    return await rawRequest(url, toRaw(req, side), { head: req.method === "HEAD" });
  } catch {
    return null; // closed without an answer: compared as status 0
  }
}

describe("differential fuzz: approute vs next start", { timeout: 900_000 }, () => {
  let next: NextServer;
  let approute: FixtureServer;
  const survey: string[] = [];

  before(async () => {
    // Both on `localhost`, as next-diff.test.ts: next start keeps proxy rewrites in one pass.
    next = await startNext(FIXTURE, undefined, { host: "localhost" });
    approute = await startFixture("compat", { root: next.dir, serve: { hostname: "localhost" } });
  });

  after(async () => {
    next?.close();
    await approute?.close();
    if (SURVEY) {
      console.log(
        [...statuses]
          .sort()
          .map(([k, n]) => `${k}: ${n}`)
          .join("\n"),
      );
      console.log(`${survey.length} differences\n${survey.join("\n\n")}`);
    }
  });

  /** In a survey: how often each property saw each status from next start. */
  const statuses = new Map<string, number>();

  /** Sends `req` to both servers; returns a description of the difference, or null. */
  async function differ(req: Req, name = ""): Promise<string | null> {
    const [a, b] = await Promise.all([send(next.url, req, "next"), send(approute.url, req, "approute")]);
    if (SURVEY)
      statuses.set(`${name} ${a?.status ?? 0}`, (statuses.get(`${name} ${a?.status ?? 0}`) ?? 0) + 1);
    const theirs = seen(a, next.origin);
    const ours = seen(b, approute.url);
    let problem = safe(req, ours, theirs);
    const applied: string[] = [];
    try {
      for (const d of DELIBERATE) {
        if (!d.apply(req, theirs, ours)) continue;
        applied.push(d.why);
        if (d.settles) break;
      }
    } catch (error) {
      problem ??= `a deliberate difference no longer holds: ${(error as Error).message}`;
    }
    if (!problem) {
      try {
        const { html: _a, ...mine } = ours;
        const { html: _b, ...reference } = theirs;
        assert.deepEqual(mine, reference);
      } catch {
        problem = "answers differ";
      }
    }
    if (!problem) return null;
    return [
      `${problem} (seed ${SEED})`,
      `request: ${JSON.stringify(toRaw(req))}`,
      req.nextTarget === undefined ? "" : `next start got: ${JSON.stringify(toRaw(req, "next"))}`,
      `next start: ${JSON.stringify(theirs)}`,
      `approute:   ${JSON.stringify(ours)}`,
      applied.length ? `deliberate differences applied: ${applied.join("; ")}` : "",
    ].join("\n");
  }

  async function check(name: string, arb: fc.Arbitrary<Req>, runs = RUNS) {
    if (SURVEY) {
      for (const req of fc.sample(arb, { seed: SEED, numRuns: runs })) {
        const problem = await differ(req, name);
        if (problem) survey.push(`[${name}] ${problem}`);
      }
      return;
    }
    await fc.assert(
      fc.asyncProperty(arb, async (req) => {
        const problem = await differ(req);
        if (problem) throw new Error(problem);
      }),
      { seed: SEED, numRuns: runs, endOnFailure: false },
    );
  }

  test(`paths: encodings, dot segments, slashes, unicode (seed ${SEED})`, () =>
    check(
      "path",
      target.map((t) => ({ method: "GET", target: t, headers: [] })),
    ));

  test(`queries: repeated, encoded and internal keys (seed ${SEED})`, () =>
    check(
      "query",
      fc
        .tuple(fc.constantFrom("/api/url/q", "/api/items/q", "/api/px/method", "/api/url", "/cfg-q/1"), query)
        .map(([p, q]) => ({ method: "GET", target: p + q, headers: [] })),
    ));

  test(`headers: internal, Host and X-Forwarded-* (seed ${SEED})`, () =>
    check(
      "headers",
      fc.tuple(headerTarget, headerSet).map(([t, headers]) => ({ method: "GET", target: t, headers })),
    ));

  test(`methods on every kind of route (seed ${SEED})`, () =>
    check(
      "method",
      fc
        .tuple(
          method,
          fc.oneof(headerTarget, target),
          fc.option(fc.constantFrom("x", '{"a":1}'), { nil: undefined }),
        )
        .map(([m, t, body]) => ({ method: m, target: t, headers: [], body })),
    ));

  test(`proxy gate: every spelling of a guarded path (seed ${SEED})`, () =>
    check(
      "gate",
      fc
        .tuple(fc.constantFrom("GET", "GET", "HEAD", "POST", "OPTIONS"), guardPath, gateCookie)
        .map(([m, t, cookie]) => ({
          method: m,
          target: t,
          headers: cookie === undefined ? [] : ([["cookie", cookie]] as Array<[string, string]>),
        })),
    ));

  test(`absolute-form, authority-form and * targets (seed ${SEED})`, () =>
    check(
      "form",
      fc.oneof(
        fc
          .tuple(
            fc.constantFrom("GET", "HEAD", "POST", "OPTIONS"),
            fc.constantFrom(
              "http://evil.example",
              "https://evil.example:8443",
              "http://localhost",
              "HTTP://x",
            ),
            fc.oneof(headerTarget, target),
          )
          // A5: next start redirects an absolute-form target to the client's authority (an open
          // redirect); approute ignores the authority, so it must answer as next start answers
          // the path alone.
          .map(([m, origin, t]) => ({ method: m, target: origin + t, nextTarget: t, headers: [] })),
        fc
          .tuple(
            fc.constantFrom("GET", "OPTIONS", "CONNECT"),
            fc.constantFrom("*", "example.com:443", "evil.example"),
          )
          .map(([m, t]) => ({ method: m, target: t, headers: [] })),
      ),
    ));

  test(`request cookies: duplicates, quotes, escapes (seed ${SEED})`, () =>
    check(
      "cookie",
      cookieHeader.map((cookie) => ({
        method: "GET",
        target: "/api/ck/read",
        headers: [["cookie", cookie]],
      })),
    ));

  test(`bodies: request.json() and request.formData() (seed ${SEED})`, () =>
    check(
      "body",
      fc.oneof(
        jsonBody.map((body) => ({
          method: "POST",
          target: "/api/json",
          headers: [["content-type", "application/json"]] as Array<[string, string]>,
          body,
        })),
        fc
          .tuple(
            formBody,
            fc.constantFrom(
              "application/x-www-form-urlencoded",
              "application/x-www-form-urlencoded; charset=utf-8",
              "text/plain",
              "multipart/form-data",
            ),
          )
          .map(([body, type]) => ({
            method: "POST",
            target: "/api/form",
            headers: [["content-type", type]] as Array<[string, string]>,
            body,
          })),
      ),
    ));
});
