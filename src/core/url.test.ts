// Request-target helpers (R11, R13, R42, A5), with the answers next start gives, as the
// differential fuzzer (tests/compat/next-fuzz.test.ts) found them.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  canonicalUrl,
  groupQuery,
  printRedirectQuery,
  repeatedSlashRedirect,
  splitTarget,
  trailingSlashRedirect,
} from "./url.js";

test("A5: absolute-form targets keep only their path, whatever the scheme's case", () => {
  assert.deepEqual(splitTarget("http://evil.example/a?x=1"), { pathname: "/a", search: "?x=1" });
  assert.deepEqual(splitTarget("HTTP://x/api/items/1"), { pathname: "/api/items/1", search: "" });
  assert.deepEqual(splitTarget("HtTpS://x:8443"), { pathname: "/", search: "" });
  assert.equal(splitTarget("*"), null);
  assert.equal(splitTarget("example.com:443"), null);
  assert.equal(splitTarget("ftp://x/a"), null);
});

test("R13: // and \\ redirect in one hop, dot segments resolved, query and fragment kept", () => {
  const at = (raw: string) => repeatedSlashRedirect(splitTarget(raw)!, raw);
  assert.equal(at("/api/hello"), null);
  assert.equal(at("/api//hello"), "/api/hello");
  assert.equal(at("/\\evil.tld/"), "/evil.tld/");
  assert.equal(at("/api/url/..//x/?a&b=%7E#frag"), "/api/x/?a&b=%7E#frag");
  assert.equal(at("/cfg-fb/%2E%2E//?"), "/");
  assert.equal(at("/a//{b}"), "/a/%7Bb%7D");
});

test("R11/R12: trailing-slash redirects", () => {
  assert.equal(trailingSlashRedirect("/", false), null);
  assert.equal(trailingSlashRedirect("/a/", false), "/a");
  assert.equal(trailingSlashRedirect("/a", false), null);
  assert.equal(trailingSlashRedirect("/a", true), "/a/");
  assert.equal(trailingSlashRedirect("/a.json/", true), "/a.json");
  assert.equal(trailingSlashRedirect("/.well-known/x", true), "/.well-known/x/");
});

test("R11: a redirect's query is grouped by key and printed with encodeURIComponent", () => {
  const print = (search: string) => printRedirectQuery(groupQuery(search));
  assert.equal(print(""), "");
  assert.equal(print("?"), "");
  assert.equal(print("?&&"), "");
  assert.equal(print("?b&a=%7E~+x&1=y&a=(!)"), "?1=y&b=&a=~~%20x&a=(!)");
  assert.equal(print("?a[]=1&c=%E0%A4%A"), "?a%5B%5D=1&c=%EF%BF%BD%25A");
  // No prototype: these are keys like any other (security checklist item 7).
  assert.equal(print("?__proto__=1&constructor=2"), "?__proto__=1&constructor=2");
});

test("R42: a handler's request.url has no fragment, with or without a query", () => {
  assert.equal(canonicalUrl("http://h/a#f"), "http://h/a");
  assert.equal(canonicalUrl("http://h/a?b#f"), "http://h/a?b=");
  assert.equal(canonicalUrl("http://h/a#f?x"), "http://h/a");
  assert.equal(canonicalUrl("http://h/a"), "http://h/a");
});
