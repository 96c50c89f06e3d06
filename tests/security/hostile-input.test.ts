// The bad-input corpus (issue #7; research/security.md §b): hostile requests sent byte for byte over
// raw sockets to the real server. Each case states the status it must get; after each one the server
// must still answer a normal request, no response may carry a stack trace or a secret, and at the
// end no log line may contain the credentials every request carried.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type RawResponse, rawRequest } from "../helpers/raw.ts";

const TOKEN = "tok-SECRET-123";
const SESSION = "sess-SECRET-456";
const GLOBAL_LIMIT = 16 * 1024;

interface RequestOptions {
  headers?: string[];
  body?: string;
  host?: string | null;
}

/** One request with credentials in it (which must never reach a log) and `Connection: close`. */
function req(method: string, target: string, options: RequestOptions = {}): string {
  const host =
    options.host === undefined
      ? "Host: localhost\r\n"
      : options.host === null
        ? ""
        : `Host: ${options.host}\r\n`;
  const extra = (options.headers ?? []).map((h) => `${h}\r\n`).join("");
  return `${method} ${target} HTTP/1.1\r\n${host}Authorization: Bearer ${TOKEN}\r\nCookie: session=${SESSION}\r\nConnection: close\r\n${extra}\r\n${options.body ?? ""}`;
}

interface Case {
  name: string;
  request: string;
  status: number;
  /** Extra assertions on the response; `origin` is the server's own. */
  check?: (res: RawResponse, origin: string) => void;
  head?: boolean;
}

const json = (res: RawResponse) => JSON.parse(res.body);
const noHeaderLine = (res: RawResponse, pattern: RegExp) =>
  assert.ok(
    !res.raw.split("\r\n").some((line) => pattern.test(line)),
    `injected header in ${JSON.stringify(res.raw)}`,
  );
const big = (n: number) => "a".repeat(n);
/** A multipart POST to /api/readers?kind=formData with `parts` (headers + blank line + content). */
function multipart(parts: string[], options: { type?: string; target?: string } = {}): string {
  const body = `${parts.map((part) => `--XyZ\r\n${part}\r\n`).join("")}--XyZ--\r\n`;
  return req("POST", options.target ?? "/api/readers?kind=formData", {
    headers: [
      `Content-Type: ${options.type ?? "multipart/form-data; boundary=XyZ"}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
    ],
    body,
  });
}

const cases: Case[] = [
  // Request line
  { name: "baseline GET", request: req("GET", "/api/echo"), status: 200 },
  { name: "malformed request line: no target", request: "GET\r\nHost: localhost\r\n\r\n", status: 400 },
  {
    name: "malformed request line: no version (HTTP/0.9 style)",
    request: "GET /api/echo\r\nHost: localhost\r\n\r\n",
    status: 400,
  },
  {
    name: "malformed request line: garbage",
    request: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    status: 400,
  },
  {
    name: "unsupported HTTP version",
    request: "GET /api/echo HTTP/9.9\r\nHost: localhost\r\n\r\n",
    status: 400,
  },
  { name: "raw NUL byte in target", request: req("GET", "/api/ec\x00ho"), status: 400 },
  {
    name: "raw space-separated extra token",
    request: "GET /api/echo HTTP/1.1 extra\r\nHost: localhost\r\n\r\n",
    status: 400,
  },
  { name: "#19 lowercase method", request: req("get", "/api/echo"), status: 400 },
  { name: "#19 unknown method token", request: req("FOO", "/api/echo"), status: 400 },
  { name: "HTTP/1.0 request is served", request: "GET /api/echo HTTP/1.0\r\n\r\n", status: 200 },
  {
    name: "#19 R18 PROPFIND → 400, handler never called",
    request: req("PROPFIND", "/api/echo"),
    status: 400,
  },
  {
    name: "#19 R18 CONNECT → 400",
    request: req("CONNECT", "example.com:443", { host: "example.com:443" }),
    status: 400,
  },
  {
    name: "#19 R19 DELETE on a GET-only route → 405 with Allow",
    request: req("DELETE", "/api/get-only"),
    status: 405,
    check: (r) => assert.match(r.headers.allow![0]!, /GET/),
  },
  {
    name: "#19 R18 TRACE → 400, never echoes",
    request: req("TRACE", "/api/echo"),
    status: 400,
    check: (r) => assert.ok(!r.body.includes(TOKEN)),
  },
  { name: "#9 OPTIONS * → 400 without routing", request: req("OPTIONS", "*"), status: 400 },
  { name: "authority-form target → 400", request: req("GET", "example.com:443"), status: 400 },
  {
    name: "#8 absolute-form target: authority ignored",
    request: req("GET", "http://169.254.169.254/api/echo"),
    status: 200,
    check: (r, origin) => assert.equal(json(r).url, `${origin}/api/echo`),
  },
  {
    name: "#8 absolute-form + Upgrade: websocket is never proxied",
    request: req("GET", "http://169.254.169.254/latest/meta-data/", {
      headers: ["Upgrade: websocket", "Connection: Upgrade"],
    }),
    status: 308,
    check: (r) => assert.equal(r.headers.location![0], "/latest/meta-data"),
  },
  // Percent-encoding and paths
  { name: "#4 truncated escape %E0%A4%A → 400", request: req("GET", "/api/items/%E0%A4%A"), status: 400 },
  { name: "#4 %ZZ → 400", request: req("GET", "/api/items/%ZZ"), status: 400 },
  { name: "#4 lone surrogate %ED%A0%80 → 400", request: req("GET", "/api/items/%ED%A0%80"), status: 400 },
  { name: "#4 bare % → 400", request: req("GET", "/api/items/%"), status: 400 },
  { name: "#4 overlong UTF-8 %C0%AF → 400", request: req("GET", "/api/items/%C0%AF"), status: 400 },
  { name: "#4 bad escape in catch-all → 400", request: req("GET", "/api/files/a/%ZZ/b"), status: 400 },
  { name: "bad escape in a static path → 404", request: req("GET", "/api/%ZZ"), status: 404 },
  {
    name: "#1 encoded ../ is a literal param",
    request: req("GET", "/api/items/..%2F..%2Fetc%2Fpasswd"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { id: "../../etc/passwd" }),
  },
  // Dot segments are resolved as a URL parser resolves them (next start does the same, checked in
  // tests/compat/next-diff.test.ts), so no param ever holds a bare `..` and the walk stops at `/`.
  {
    name: "#1 %2e%2e is a dot segment, resolved before routing (R16)",
    request: req("GET", "/api/items/%2e%2e"),
    status: 308,
    check: (r) => assert.deepEqual(r.headers.location, ["/api"]),
  },
  {
    name: "#1 raw .. segment is resolved, never handed to a param (R16)",
    request: req("GET", "/api/items/.."),
    status: 308,
    check: (r) => assert.deepEqual(r.headers.location, ["/api"]),
  },
  {
    name: "#1 .. cannot climb above the root (R16)",
    request: req("GET", "/../../api/items/x"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { id: "x" }),
  },
  {
    name: "#1 catch-all with encoded ../ keeps segments",
    request: req("GET", "/api/files/..%2F..%2Fetc/passwd"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { path: ["../../etc", "passwd"] }),
  },
  {
    name: "#2 %2F stays inside one param",
    request: req("GET", "/api/items/a%2Fb"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { id: "a/b" }),
  },
  {
    name: "#2 %5C stays inside one param",
    request: req("GET", "/api/items/a%5Cb"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { id: "a\\b" }),
  },
  {
    name: "#3 double encoding decodes once",
    request: req("GET", "/api/items/%252F"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { id: "%2F" }),
  },
  {
    name: "%00 decodes to a NUL string, not a crash",
    request: req("GET", "/api/items/a%00b"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { id: "a\u0000b" }),
  },
  { name: "%00 in a static path → 404", request: req("GET", "/api/echo%00"), status: 404 },
  { name: "#5 /admin;x is not /admin", request: req("GET", "/api/echo;x"), status: 404 },
  { name: "#5 .rsc suffix is no alias", request: req("GET", "/api/echo.rsc"), status: 404 },
  {
    name: "#5 //path → 308 same-origin",
    request: req("GET", "//api/echo"),
    status: 308,
    check: (r) => assert.equal(r.headers.location![0], "/api/echo"),
  },
  {
    name: "#6 /\\evil.tld never redirects off-site",
    request: req("GET", "/\\evil.tld/"),
    status: 308,
    check: (r) => assert.ok(!r.headers.location![0]!.startsWith("//"), r.headers.location![0]),
  },
  {
    name: "#6 //evil.tld → /evil.tld",
    request: req("GET", "//evil.tld"),
    status: 308,
    check: (r) => assert.equal(r.headers.location![0], "/evil.tld"),
  },
  ...[
    "/%5Cevil.tld/",
    "/%2F%2Fevil.tld/",
    "/%2f/evil.tld/",
    "/.//evil.tld/",
    "/./\\evil.tld/",
    "/\\/evil.tld/",
    "/a/..//evil.tld/",
    "/%09/evil.tld/",
  ].map(
    (target): Case => ({
      name: `#6 canonical redirect of ${target} stays on this origin`,
      request: req("GET", target),
      status: 308,
      check: (r) => assert.match(r.headers.location![0]!, /^\/(?![/\\])/, r.headers.location![0]),
    }),
  ),
  { name: "#6 /%5Cevil.tld (no trailing slash) → 404", request: req("GET", "/%5Cevil.tld"), status: 404 },
  // Prototype pollution
  {
    name: "#7 [__proto__] param is an own property",
    request: req("GET", "/api/proto/x"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { own: true, value: "x", polluted: false }),
  },
  {
    name: "#7 [constructor] param is an own property",
    request: req("GET", "/api/ctor/y"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { value: "y", own: true }),
  },
  {
    name: "#7 __proto__ query keys stay own keys",
    request: req("GET", "/api/query?__proto__[a]=1&__proto__=x&constructor[prototype][a]=1&a=ok"),
    status: 200,
    check: (r) => assert.equal(json(r).polluted, false),
  },
  {
    name: "#31 JSON __proto__ key is an own key, no pollution",
    request: req("POST", "/api/json", {
      headers: ["Content-Type: application/json", "Content-Length: 31"],
      body: '{"__proto__":{"isAdmin":true}}' + " ",
    }),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { keys: ["__proto__"], polluted: false }),
  },
  {
    name: "#31 JSON constructor.prototype key, no pollution",
    request: req("POST", "/api/json", {
      headers: ["Content-Type: application/json", "Content-Length: 44"],
      body: '{"constructor":{"prototype":{"isAdmin":1}}}' + " ",
    }),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { keys: ["constructor"], polluted: false }),
  },
  {
    name: "#32 malformed JSON body → 500 without a stack trace",
    request: req("POST", "/api/json", { headers: ["Content-Length: 5"], body: "{nope" }),
    status: 500,
    check: (r) => assert.equal(r.body, ""),
  },
  // Headers and framing
  {
    name: "#14 header block over 16 KiB → 431",
    request: req("GET", "/api/echo", { headers: [`X-Big: ${big(17 * 1024)}`] }),
    status: 431,
  },
  {
    name: "#14 many headers over 16 KiB → 431",
    request: req("GET", "/api/echo", {
      headers: Array.from({ length: 600 }, (_, i) => `X-H${i}: ${big(30)}`),
    }),
    status: 431,
  },
  { name: "#14 target over 8 KiB → 414", request: req("GET", `/api/items/${big(9000)}`), status: 414 },
  { name: "#14 target over 16 KiB → 431", request: req("GET", `/api/items/${big(17 * 1024)}`), status: 431 },
  {
    name: "#10 Content-Length + Transfer-Encoding → 400",
    request: req("POST", "/api/echo", {
      headers: ["Content-Length: 5", "Transfer-Encoding: chunked"],
      body: "0\r\n\r\n",
    }),
    status: 400,
  },
  {
    name: "#11 two different Content-Length → 400",
    request: req("POST", "/api/echo", {
      headers: ["Content-Length: 5", "Content-Length: 6"],
      body: "hello!",
    }),
    status: 400,
  },
  {
    name: "#11 Content-Length: +5 → 400",
    request: req("POST", "/api/echo", { headers: ["Content-Length: +5"], body: "hello" }),
    status: 400,
  },
  {
    name: "#11 Content-Length: 0x5 → 400",
    request: req("POST", "/api/echo", { headers: ["Content-Length: 0x5"], body: "hello" }),
    status: 400,
  },
  {
    name: "#11 Content-Length: -1 → 400",
    request: req("POST", "/api/echo", { headers: ["Content-Length: -1"] }),
    status: 400,
  },
  {
    name: "#12 Transfer-Encoding: chunked, identity → 400",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: chunked, identity"],
      body: "0\r\n\r\n",
    }),
    status: 400,
  },
  {
    name: "#12 Transfer-Encoding: xchunked → 400",
    request: req("POST", "/api/echo", { headers: ["Transfer-Encoding: xchunked"], body: "0\r\n\r\n" }),
    status: 400,
  },
  {
    name: "#12 space before colon → 400",
    request: req("POST", "/api/echo", { headers: ["Transfer-Encoding : chunked"], body: "0\r\n\r\n" }),
    status: 400,
  },
  {
    name: "#12 obs-fold continuation line → 400",
    request: req("GET", "/api/echo", { headers: ["X-A: a", " folded"] }),
    status: 400,
  },
  {
    name: "#12 bare CR inside a header value → 400",
    request: req("GET", "/api/echo", { headers: ["X-Abc: \rxTransfer-Encoding: chunked"] }),
    status: 400,
  },
  {
    name: "NUL byte in a header value → 400",
    request: req("GET", "/api/echo", { headers: ["X-A: a\x00b"] }),
    status: 400,
  },
  {
    name: "invalid header name → 400",
    request: req("GET", "/api/echo", { headers: ["X(A): 1"] }),
    status: 400,
  },
  {
    name: "#13 chunk size not hex → 400",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: chunked"],
      body: "zz\r\nhello\r\n0\r\n\r\n",
    }),
    status: 400,
  },
  {
    name: "#13 chunk size overflow → 400",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: chunked"],
      body: "fffffffffffffffff\r\nx\r\n0\r\n\r\n",
    }),
    status: 400,
  },
  {
    name: "#11 Content-Length: 5, 5 → 400",
    request: req("POST", "/api/echo", { headers: ["Content-Length: 5, 5"], body: "hello" }),
    status: 400,
  },
  {
    name: "#11 the same Content-Length twice → 400",
    request: req("POST", "/api/echo", { headers: ["Content-Length: 5", "Content-Length: 5"], body: "hello" }),
    status: 400,
  },
  {
    name: "#11 empty Content-Length → 400",
    request: req("POST", "/api/echo", { headers: ["Content-Length: "] }),
    status: 400,
  },
  {
    name: "#11 Content-Length past 2^64 → 400",
    request: req("POST", "/api/echo", { headers: ["Content-Length: 99999999999999999999999"] }),
    status: 400,
  },
  {
    name: "#12 bare LF line endings → 400",
    request: "GET /api/echo HTTP/1.1\nHost: localhost\nConnection: close\n\n",
    status: 400,
  },
  {
    name: "#12 a bare LF inside the header block → 400",
    request: "GET /api/echo HTTP/1.1\r\nHost: localhost\nX-A: 1\r\nConnection: close\r\n\r\n",
    status: 400,
  },
  {
    name: "#12 a bare CR ending the request line → 400",
    request: "GET /api/echo HTTP/1.1\rHost: localhost\r\nConnection: close\r\n\r\n",
    status: 400,
  },
  {
    name: "#12 Transfer-Encoding twice → 400",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"],
      body: "5\r\nhello\r\n0\r\n\r\n",
    }),
    status: 400,
  },
  {
    name: "#12 Transfer-Encoding: identity with Content-Length → 400",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: identity", "Content-Length: 5"],
      body: "hello",
    }),
    status: 400,
  },
  {
    name: "#12 vertical tab before chunked → 400",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: \x0bchunked"],
      body: "5\r\nhello\r\n0\r\n\r\n",
    }),
    status: 400,
  },
  {
    name: "#12 obs-fold as the first header line → 400",
    request: "GET /api/echo HTTP/1.1\r\n Host: evil\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    status: 400,
  },
  {
    name: "#12 Transfer-Encoding: gzip, chunked → 501, body never handed over coded (RFC 9112 §6.1)",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: gzip, chunked"],
      body: "5\r\nhello\r\n0\r\n\r\n",
    }),
    status: 501,
    check: (r) => assert.equal(r.headers.connection![0], "close"),
  },
  {
    name: "#12 Transfer-Encoding: gzip (not chunked last) → 400 (RFC 9112 §6.3)",
    request: req("POST", "/api/echo", { headers: ["Transfer-Encoding: gzip"], body: "hello" }),
    status: 400,
  },
  {
    name: "#12 Transfer-Encoding: Chunked in any case is chunked",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: Chunked"],
      body: "5\r\nhello\r\n0\r\n\r\n",
    }),
    status: 200,
    check: (r) => assert.equal(json(r).length, 5),
  },
  {
    name: "#10 HTTP/1.0 with Transfer-Encoding: chunked → 400 and close (RFC 9112 §6.1)",
    request: "POST /api/echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    status: 400,
    check: (r) => assert.equal(r.headers.connection![0], "close"),
  },
  {
    name: "#10 HTTP/1.0 with Transfer-Encoding and Content-Length → 400",
    request: "POST /api/echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello",
    status: 400,
  },
  {
    name: "#13 chunk extension with a bare CR → 400",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: chunked"],
      body: "5;a=\rb\r\nhello\r\n0\r\n\r\n",
    }),
    status: 400,
  },
  {
    name: "#13 chunk extension with a bare LF → 400",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: chunked"],
      body: "5;a=\nb\r\nhello\r\n0\r\n\r\n",
    }),
    status: 400,
  },
  {
    name: "#13 chunk data without its CRLF → 400",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: chunked"],
      body: "5\r\nhelloXX0\r\n\r\n",
    }),
    status: 400,
  },
  {
    name: "#13 chunk lines ending in bare LF → 400",
    request: req("POST", "/api/echo", { headers: ["Transfer-Encoding: chunked"], body: "5\nhello\n0\n\n" }),
    status: 400,
  },
  {
    name: "#13 a plain chunk extension is accepted and not part of the body",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: chunked"],
      body: "5;a=b\r\nhello\r\n0\r\n\r\n",
    }),
    status: 200,
    check: (r) => assert.equal(json(r).length, 5),
  },
  {
    // Node's default keeps the first 1000 header lines and silently drops the rest.
    name: "#14 1500 small headers (under 16 KiB): none is dropped, the last one reaches the handler",
    request: req("GET", "/api/last-header", {
      headers: [...Array.from({ length: 1500 }, (_, i) => `x${i}: 1`), "X-Last: yes"],
    }),
    status: 200,
    // Host, Authorization, Cookie, Connection, the 1500 and X-Last; plus X-Forwarded-* (R47).
    check: (r) => assert.deepEqual(json(r), { count: 1505 + 4, last: "yes" }),
  },
  // Beyond the checklist: what else a hostile client may try on the request line and head.
  { name: "raw UTF-8 bytes in the target → 400", request: req("GET", "/api/items/caf\xc3\xa9"), status: 400 },
  { name: "raw tab in the target → 400", request: req("GET", "/api/items/a\tb"), status: 400 },
  {
    name: "control byte in a header value → 400",
    request: req("GET", "/api/echo", { headers: ["X-A: a\x01b"] }),
    status: 400,
  },
  { name: "empty header name → 400", request: req("GET", "/api/echo", { headers: [": 1"] }), status: 400 },
  {
    name: "lower-case HTTP version → 400",
    request: "GET /api/echo http/1.1\r\nHost: localhost\r\n\r\n",
    status: 400,
  },
  {
    name: "HTTP/2 preface on the HTTP/1.1 port → 400",
    request: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    status: 400,
  },
  {
    name: "Upgrade: h2c is ignored: served as HTTP/1.1",
    request: req("GET", "/api/items/1", {
      headers: ["Upgrade: h2c", "HTTP2-Settings: AAMAAABkAAQAAP__"],
    }),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { id: "1" }),
  },
  {
    name: "an unknown Expect → 417, the handler never called",
    request: req("POST", "/api/echo", { headers: ["Expect: 200-ok", "Content-Length: 5"], body: "hello" }),
    status: 417,
  },
  { name: "HTTP/1.1 without Host → 400", request: req("GET", "/api/echo", { host: null }), status: 400 },
  // Bodies over the limit (A6)
  {
    name: "#16 declared body over the global limit → 413 before any byte is sent",
    request: req("POST", "/api/echo", { headers: [`Content-Length: ${GLOBAL_LIMIT + 1}`] }),
    status: 413,
    check: (r) => assert.equal(r.headers.connection![0], "close"),
  },
  {
    name: "#16 chunked body crossing the limit → 413 mid-stream (no final chunk sent)",
    request: req("POST", "/api/stream-body", {
      headers: ["Transfer-Encoding: chunked"],
      body: `${(GLOBAL_LIMIT + 1024).toString(16)}\r\n${big(GLOBAL_LIMIT + 1024)}\r\n`,
    }),
    status: 413,
  },
  {
    name: "#16 chunked body crossing the limit via text() → 413 mid-stream",
    request: req("POST", "/api/echo", {
      headers: ["Transfer-Encoding: chunked"],
      body: `${(GLOBAL_LIMIT + 1024).toString(16)}\r\n${big(GLOBAL_LIMIT + 1024)}\r\n`,
    }),
    status: 413,
  },
  {
    name: "body under the limit passes",
    request: req("POST", "/api/stream-body", { headers: ["Content-Length: 1000"], body: big(1000) }),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { length: 1000 }),
  },
  {
    name: "A6 per-route smaller limit: declared 2 KiB on a 1 KiB route → 413 before reading",
    request: req("POST", "/api/small", { headers: ["Content-Length: 2048"] }),
    status: 413,
  },
  {
    name: "A6 per-route smaller limit: chunked 2 KiB → 413",
    request: req("POST", "/api/small", {
      headers: ["Transfer-Encoding: chunked"],
      body: `800\r\n${big(2048)}\r\n`,
    }),
    status: 413,
  },
  {
    name: "A6 per-route smaller limit: 500 bytes pass",
    request: req("POST", "/api/small", { headers: ["Content-Length: 500"], body: big(500) }),
    status: 200,
  },
  {
    name: "A6 per-route larger limit: 32 KiB passes on a 64 KiB route",
    request: req("POST", "/api/big", { headers: ["Content-Length: 32768"], body: big(32768) }),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { length: 32768 }),
  },
  {
    name: "A6 per-route larger limit: 65 KiB → 413",
    request: req("POST", "/api/big", { headers: ["Content-Length: 66560"] }),
    status: 413,
  },
  {
    name: "A6 a route without its own limit keeps the global one when another route raises it",
    request: req("POST", "/api/echo", { headers: ["Content-Length: 32768"] }),
    status: 413,
  },
  ...["json", "text", "arrayBuffer", "bytes", "blob", "formData"].flatMap((kind): Case[] => {
    const type = kind === "formData" ? "application/x-www-form-urlencoded" : "application/json";
    const over = GLOBAL_LIMIT + 1024;
    return [
      {
        name: `#16 request.${kind}(): declared body over the limit → 413 before reading`,
        request: req("POST", `/api/readers?kind=${kind}`, {
          headers: [`Content-Type: ${type}`, `Content-Length: ${over}`],
        }),
        status: 413,
      },
      {
        name: `#16 request.${kind}(): chunked body without Content-Length crossing the limit → 413`,
        request: req("POST", `/api/readers?kind=${kind}`, {
          headers: [`Content-Type: ${type}`, "Transfer-Encoding: chunked"],
          body: `${over.toString(16)}\r\n${big(over)}\r\n`,
        }),
        status: 413,
      },
      {
        name: `#16 request.${kind}(): a whole chunked body over the limit → 413, never truncated`,
        request: req("POST", `/api/readers?kind=${kind}`, {
          headers: [`Content-Type: ${type}`, "Transfer-Encoding: chunked"],
          body: `${over.toString(16)}\r\n${big(over)}\r\n0\r\n\r\n`,
        }),
        status: 413,
      },
    ];
  }),
  {
    name: "#16 chunked urlencoded body under the limit reaches formData() whole",
    request: req("POST", "/api/readers?kind=formData", {
      headers: ["Content-Type: application/x-www-form-urlencoded", "Transfer-Encoding: chunked"],
      body: "7\r\na=1&b=2\r\n4\r\n&c=3\r\n0\r\n\r\n",
    }),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { fields: 3, names: ["a", "b", "c"], filename: null }),
  },
  {
    name: "#33 multipart filename ../../etc/passwd is returned verbatim, never used as a path",
    request: multipart([
      'Content-Disposition: form-data; name="file"; filename="../../etc/passwd"\r\n\r\nhi',
    ]),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { fields: 1, names: ["file"], filename: "../../etc/passwd" }),
  },
  {
    name: "#33 multipart 8 KB filename is parsed",
    request: multipart([`Content-Disposition: form-data; name="file"; filename="${big(8000)}"\r\n\r\nx`]),
    status: 200,
    check: (r) => assert.equal(json(r).filename.length, 8000),
  },
  {
    name: "#33 multipart without a boundary → a TypeError the handler can catch (400 here)",
    request: multipart(['Content-Disposition: form-data; name="a"\r\n\r\n1'], {
      type: "multipart/form-data",
      target: "/api/readers?kind=formData&catch=1",
    }),
    status: 400,
    check: (r) => assert.deepEqual(json(r), { error: "TypeError" }),
  },
  {
    name: "#33 multipart without a boundary, uncaught → bare 500",
    request: multipart(['Content-Disposition: form-data; name="a"\r\n\r\n1'], {
      type: "multipart/form-data",
    }),
    status: 500,
    check: (r) => assert.equal(r.body, ""),
  },
  {
    name: "#33 truncated multipart (no closing boundary) → bare 500",
    request: req("POST", "/api/readers?kind=formData", {
      headers: ["Content-Type: multipart/form-data; boundary=XyZ", "Content-Length: 55"],
      body: '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalu',
    }),
    status: 500,
    check: (r) => assert.equal(r.body, ""),
  },
  {
    name: "#33 10 000 multipart parts over the body limit → 413",
    request: multipart(
      Array.from({ length: 10_000 }, (_, i) => `Content-Disposition: form-data; name="f"\r\n\r\n${i % 10}`),
    ),
    status: 413,
  },
  {
    name: "#33 200 multipart parts under the limit are all parsed",
    request: multipart(
      Array.from({ length: 200 }, () => 'Content-Disposition: form-data; name="f"\r\n\r\n1'),
    ),
    status: 200,
    check: (r) => assert.equal(json(r).fields, 200),
  },
  // Method override
  {
    name: "#18 X-HTTP-Method-Override is ignored",
    request: req("POST", "/api/echo", { headers: ["X-HTTP-Method-Override: DELETE", "Content-Length: 0"] }),
    status: 200,
    check: (r) => assert.equal(json(r).method, "POST"),
  },
  {
    name: "#18 X-Method-Override cannot reach a GET-only route",
    request: req("POST", "/api/get-only", { headers: ["X-Method-Override: GET", "Content-Length: 0"] }),
    status: 405,
  },
  {
    name: "#18 _method=DELETE query is ignored",
    request: req("POST", "/api/echo?_method=DELETE", { headers: ["Content-Length: 0"] }),
    status: 200,
    check: (r) => assert.equal(json(r).method, "POST"),
  },
  // Host and redirects (R42, A5)
  {
    name: "#24 Host: evil.tld does not change request.url",
    request: req("GET", "/api/echo", { host: "evil.tld" }),
    status: 200,
    check: (r, origin) => assert.equal(json(r).url, `${origin}/api/echo`),
  },
  {
    name: "#24 X-Forwarded-Host is ignored without a trusted proxy",
    request: req("GET", "/api/echo", { headers: ["X-Forwarded-Host: evil.tld"] }),
    status: 200,
    check: (r, origin) => assert.equal(json(r).url, `${origin}/api/echo`),
  },
  {
    name: "#24 redirect from request.url never points at the Host header",
    request: req("GET", "/api/redirect", { host: "evil.tld", headers: ["X-Forwarded-Host: evil.tld"] }),
    status: 307,
    check: (r, origin) => assert.equal(r.headers.location![0], `${origin}/api/echo`),
  },
  {
    name: "#24 Host with @ and a space → 400",
    request: req("GET", "/api/echo", { host: "a b@evil" }),
    status: 400,
  },
  {
    name: "#24 Host with a path → 400",
    request: req("GET", "/api/echo", { host: "evil.tld/x" }),
    status: 400,
  },
  {
    name: "#24 Host as an IPv6 literal with port passes",
    request: req("GET", "/api/echo", { host: "[::1]:3000" }),
    status: 200,
  },
  {
    name: "#24 X-Forwarded-Proto: javascript is ignored",
    request: req("GET", "/api/echo", { headers: ["X-Forwarded-Proto: javascript"] }),
    status: 200,
    check: (r, origin) => assert.equal(json(r).url, `${origin}/api/echo`),
  },
  // Header injection
  {
    name: "#34 CR/LF in a cookie value never splits the response",
    request: req("GET", "/api/cookie?v=a%0D%0ASet-Cookie:%20evil=1"),
    status: 200,
    check: (r) => noHeaderLine(r, /^set-cookie:\s*evil=/i),
  },
  {
    name: "#34 cookie value with ; Domain= stays one value",
    request: req("GET", "/api/cookie?v=x%3B%20Domain%3Devil.tld"),
    status: 200,
    check: (r) => assert.ok(!/domain=evil/i.test(r.headers["set-cookie"]![0]!), r.headers["set-cookie"]![0]),
  },
  {
    name: "#36 CR/LF in a redirect target never splits the response",
    request: req("GET", "/api/redirect?to=/x%0D%0ASet-Cookie:%20evil=1"),
    status: 307,
    check: (r) => noHeaderLine(r, /^set-cookie:\s*evil=/i),
  },
  // Errors
  {
    name: "#37 a thrown error → bare 500",
    request: req("GET", "/api/secret"),
    status: 500,
    check: (r) => assert.equal(r.body, ""),
  },
  {
    name: "#20 HEAD has no body",
    request: req("HEAD", "/api/echo"),
    status: 200,
    head: true,
    check: (r) => assert.equal(r.body, ""),
  },
  {
    name: "#21 internal headers from the client change nothing",
    request: req("GET", "/api/echo", {
      headers: [
        "x-middleware-subrequest: middleware:middleware:middleware:middleware:middleware",
        "x-middleware-rewrite: http://evil.tld/",
        "x-nextjs-data: 1",
        "Next-Action: x",
        "RSC: 1",
        "x-invoke-path: /api/secret",
      ],
    }),
    status: 200,
    check: (r, origin) => {
      assert.equal(json(r).url, `${origin}/api/echo`);
      assert.equal(r.headers["x-middleware-rewrite"], undefined);
    },
  },
  {
    name: "#22 Location request header is not a redirect",
    request: req("GET", "/api/echo", { headers: ["Location: http://evil.tld/"] }),
    status: 200,
    check: (r) => assert.equal(r.headers.location, undefined),
  },
  {
    name: "#23 nxtP/internal query keys do not change params",
    request: req("GET", "/api/items/42?nxtPid=admin&__nextDataReq=1&_rsc=1"),
    status: 200,
    check: (r) => assert.deepEqual(json(r), { id: "42" }),
  },
  {
    name: "#35 1000 cookie pairs with duplicates and invalid UTF-8 are parsed without error",
    request: req("GET", "/api/echo", {
      headers: [`Cookie: ${Array.from({ length: 1000 }, (_, i) => `c${i % 50}=%FF${i}`).join("; ")}`],
    }),
    status: 200,
  },
];

/** Sends `bytes` and collects everything until the server closes the connection. */
function exchange(url: string, bytes: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => {
      data += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(data));
    socket.write(bytes);
  });
}

const STACK = /\bat [^\n]*:\d+:\d+|node:internal|hunter2/;

describe("hostile input corpus (#7)", () => {
  let f: FixtureServer;
  before(async () => {
    f = await startFixture("hostile", { serve: { bodyLimit: GLOBAL_LIMIT } });
  });
  after(() => f?.close());

  test("has at least 60 cases with unique names", () => {
    assert.ok(cases.length >= 60, `only ${cases.length} cases`);
    assert.equal(new Set(cases.map((c) => c.name)).size, cases.length);
  });

  for (const c of cases) {
    test(c.name, async () => {
      const res = await rawRequest(f.url, c.request, { head: c.head });
      assert.equal(res.status, c.status, `${c.name}: got ${JSON.stringify(res.raw.slice(0, 300))}`);
      assert.ok(!STACK.test(res.raw), `stack trace or secret in response: ${res.raw.slice(0, 500)}`);
      assert.ok(!res.raw.includes(TOKEN) && !res.raw.includes(SESSION), "credentials echoed to the client");
      c.check?.(res, f.url);
      if ([413, 414, 501].includes(res.status) && !c.head) {
        // Refusals before routing carry their length: no chunked framing on a closing connection.
        assert.equal(res.headers["content-length"]?.[0], String(Buffer.byteLength(res.body)), res.raw);
        assert.equal(res.headers["transfer-encoding"], undefined, res.raw);
      }
      const next = await rawRequest(f.url, req("GET", "/api/echo"));
      assert.equal(next.status, 200, "the server must answer the next request");
    });
  }

  test("#39 keep-alive survives a 4xx, and pipelined requests are answered in order", async () => {
    const keep = (target: string) => `GET ${target} HTTP/1.1\r\nHost: localhost\r\n\r\n`;
    const data = await exchange(
      f.url,
      keep("/api/items/%ZZ") + keep("/api/items/1") + keep("/nope") + req("GET", "/api/items/2"),
    );
    const statuses = [...data.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    assert.deepEqual(statuses, [400, 200, 404, 200]);
    assert.ok(data.indexOf('{"id":"1"}') < data.indexOf('{"id":"2"}'));
  });

  test("#17 a gzip-encoded body is handed over as sent: never inflated, the limit counts its bytes", async () => {
    // 8 MiB of zeros in about 8 KiB: under the 16 KiB limit only while nobody inflates it.
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024));
    assert.ok(bomb.length < GLOBAL_LIMIT);
    const head = req("POST", "/api/readers?kind=arrayBuffer", {
      headers: ["Content-Encoding: gzip", `Content-Length: ${bomb.length}`],
    });
    const data = await exchange(f.url, Buffer.concat([Buffer.from(head, "latin1"), bomb]));
    assert.match(data, /^HTTP\/1\.1 200 /);
    assert.deepEqual(JSON.parse(data.slice(data.indexOf("\r\n\r\n") + 4)), { length: bomb.length });
  });

  test("#38 a client hanging up mid-stream cancels the stream and aborts request.signal; no error is logged", {
    timeout: 30_000,
  }, async () => {
    const { hostname, port } = new URL(f.url);
    const socket = connect(Number(port), hostname);
    socket.write("GET /api/endless HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let received = 0;
    await new Promise<void>((resolve) => {
      socket.on("data", (chunk) => {
        received += chunk.length;
        // Well into the stream: then hang up.
        if (received > 64 * 1024) socket.destroy();
      });
      socket.on("close", () => resolve());
    });
    const status = await fetch(`${f.url}/api/endless-status`);
    assert.equal(await status.text(), "cancelled: aborted");
    assert.deepEqual(
      f.logs.filter((l) => l.level === "error" && /endless|send a response/.test(l.message)),
      [],
    );
  });

  test("#20 HEAD has the Content-Length GET has", async () => {
    const get = await rawRequest(f.url, req("GET", "/api/items/5"));
    const head = await rawRequest(f.url, req("HEAD", "/api/items/5"), { head: true });
    assert.equal(head.status, 200);
    assert.deepEqual(head.headers["content-length"], get.headers["content-length"]);
    assert.deepEqual(head.headers["content-type"], get.headers["content-type"]);
  });

  test("a framing error closes the connection: nothing after it is interpreted", async () => {
    const smuggled = req("POST", "/api/echo", {
      headers: ["Content-Length: 4", "Transfer-Encoding: chunked"],
      body: "0\r\n\r\nGET /api/secret HTTP/1.1\r\nHost: localhost\r\n\r\n",
    }).replace("Connection: close\r\n", "");
    const data = await exchange(f.url, smuggled);
    const statuses = [...data.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    assert.deepEqual(statuses, [400]);
  });

  test("no log line carries the credentials the requests sent", () => {
    const text = f.logs
      .map(
        (l) =>
          `${l.message} ${l.error instanceof Error ? `${l.error.message} ${l.error.stack}` : String(l.error ?? "")}`,
      )
      .join("\n");
    assert.ok(!text.includes(TOKEN), "Authorization value in the log");
    assert.ok(!text.includes(SESSION), "Cookie value in the log");
    // The thrown error is logged server-side with its route, which is where it belongs.
    assert.ok(f.logs.some((l) => l.level === "error" && l.message.includes("app/api/secret/route.ts")));
  });
});

describe("trusted proxy (#7, R42)", () => {
  let f: FixtureServer;
  before(async () => {
    f = await startFixture("hostile", { serve: { trustProxy: true } });
  });
  after(() => f?.close());

  test("X-Forwarded-Host and -Proto build request.url and redirects", async () => {
    const res = await rawRequest(
      f.url,
      req("GET", "/api/redirect", {
        headers: ["X-Forwarded-Host: api.example.com", "X-Forwarded-Proto: https"],
      }),
    );
    assert.equal(res.status, 307);
    assert.equal(res.headers.location![0], "https://api.example.com/api/echo");
  });

  test("of several X-Forwarded-Host/-Proto values, the one the nearest proxy added (the last) is used", async () => {
    // A proxy that appends keeps what the client sent first: the client must not pick the origin.
    const res = await rawRequest(
      f.url,
      req("GET", "/api/echo", {
        headers: ["X-Forwarded-Host: evil.test, api.example.com:8443", "X-Forwarded-Proto: http, https"],
      }),
    );
    assert.equal(json(res).url, "https://api.example.com:8443/api/echo");
    const lines = await rawRequest(
      f.url,
      req("GET", "/api/echo", {
        headers: ["X-Forwarded-Host: evil.test", "X-Forwarded-Host: api.example.com"],
      }),
    );
    assert.equal(json(lines).url, "http://api.example.com/api/echo");
  });

  test("a malformed X-Forwarded-Host falls back to the server's origin", async () => {
    for (const host of ["evil.tld/path", "a@evil.tld", "evil.tld\\x", ""]) {
      const res = await rawRequest(
        f.url,
        req("GET", "/api/echo", { headers: [`X-Forwarded-Host: ${host}`, "X-Forwarded-Proto: javascript"] }),
      );
      assert.equal(json(res).url, `${f.url}/api/echo`, host);
    }
  });
});

// Middleware bypass (CVE-2025-29927, CVE-2024-51479 family): the `proxy` fixture answers 403 for
// /api/admin/* unless the request has the cookie role=admin. No header and no spelling of the
// path may reach the route without passing the proxy's check.
describe("proxy cannot be bypassed (#7, R133, R134)", () => {
  let f: FixtureServer;
  before(async () => {
    f = await startFixture("proxy");
  });
  after(() => f?.close());

  const attempts: [string, string, string[]][] = [
    ["control: no cookie", "/api/admin/secret", []],
    [
      "x-middleware-subrequest: middleware×5",
      "/api/admin/secret",
      ["x-middleware-subrequest: middleware:middleware:middleware:middleware:middleware"],
    ],
    [
      "x-middleware-subrequest: src/middleware×5",
      "/api/admin/secret",
      ["x-middleware-subrequest: src/middleware:src/middleware:src/middleware:src/middleware:src/middleware"],
    ],
    [
      "x-middleware-subrequest: proxy×5",
      "/api/admin/secret",
      ["x-middleware-subrequest: proxy:proxy:proxy:proxy:proxy"],
    ],
    [
      "x-middleware-subrequest: pages/_middleware",
      "/api/admin/secret",
      ["x-middleware-subrequest: pages/_middleware"],
    ],
    [
      "X-Middleware-Subrequest in upper case",
      "/api/admin/secret",
      ["X-MIDDLEWARE-SUBREQUEST: proxy:proxy:proxy:proxy:proxy"],
    ],
    ["x-middleware-next: 1", "/api/admin/secret", ["x-middleware-next: 1"]],
    ["x-middleware-rewrite to a public route", "/api/admin/secret", ["x-middleware-rewrite: /api/hello"]],
    [
      "x-middleware-override-headers smuggling a cookie",
      "/api/admin/secret",
      ["x-middleware-override-headers: cookie", "x-middleware-request-cookie: role=admin"],
    ],
    [
      "x-invoke-path / x-matched-path",
      "/api/admin/secret",
      ["x-invoke-path: /api/hello", "x-matched-path: /api/hello"],
    ],
    ["encoded letter in a static segment", "/api/%61dmin/secret", []],
    ["encoded last letter", "/api/admi%6E/secret", []],
    ["encoded letter in the last segment", "/api/admin/%73ecret", []],
    ["matrix parameter", "/api/admin;/secret", []],
    ["trailing slash", "/api/admin/secret/", []],
    ["double slash", "/api//admin/secret", []],
    ["backslash", "/api\\admin/secret", []],
    ["dot segment", "/api/x/../admin/secret", []],
    ["absolute-form target", "http://localhost/api/admin/secret", []],
    [".rsc suffix", "/api/admin/secret.rsc", []],
    ["upper-case segment", "/api/ADMIN/secret", []],
    ["a query string", "/api/admin/secret?x=1", []],
    ["%00 suffix", "/api/admin/secret%00", []],
    ["encoded slash between segments", "/api/admin%2Fsecret", []],
    ["encoded slash before the segment", "/api%2Fadmin/secret", []],
  ];
  for (const [name, target, headers] of attempts) {
    test(`${name}: never reaches the route`, async () => {
      const res = await rawRequest(f.url, req("GET", target, { headers }));
      assert.notEqual(res.body, "secret", `${target} reached the route (${res.status})`);
      assert.ok(res.status >= 300 && res.status < 500, `${target} → ${res.status}`);
    });
  }

  test("with the right cookie the route answers (the guard is real)", async () => {
    const res = await rawRequest(
      f.url,
      req("GET", "/api/admin/secret").replace(`Cookie: session=${SESSION}`, "Cookie: role=admin"),
    );
    assert.equal(res.status, 200);
    assert.equal(res.body, "secret");
  });
});
