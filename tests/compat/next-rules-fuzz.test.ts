// Property-based differential check of the rule engine against real Next.js 16: next.config
// `headers()`, `redirects()` and `rewrites()` (R148–R150) and the proxy's `config.matcher` (R126),
// in the order of R127. The fixture (tests/compat/rules-app) has rules using named, optional,
// repeated and regex params, wildcards, has/missing conditions on header, cookie, query and host with
// named captures used in destinations and header values, and a proxy with matchers of every form
// that only marks what it saw. fast-check generates requests aimed at those rules — matching and
// near-miss paths (case, encodings, trailing slashes, suffixes), repeated query keys, condition
// headers, cookies and hosts — and status, Location, the rule headers and the JSON the handlers echo
// must agree between `next start` and approute. Deliberate differences are listed in DELIBERATE.
//
// The seed is fixed (FUZZ_SEED overrides it, FUZZ_RUNS the runs per property); FUZZ_SURVEY=1 lists
// every difference instead of stopping at the first.
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type NextServer, startNext } from "../helpers/next.ts";
import {
  conditions,
  createDiffer,
  type Req,
  SEED,
  startEchoUpstream,
  targets,
} from "../helpers/rules-fuzz.ts";

const FIXTURE = fileURLToPath(new URL("./rules-app/", import.meta.url));

describe("differential fuzz of next.config rules and the proxy matcher: approute vs next start", {
  timeout: 600_000,
}, () => {
  let next: NextServer;
  let approute: FixtureServer;
  let upstream: { close(): Promise<void> } | undefined;
  const { check, fixed, report } = createDiffer(() => ({ next, approute }));

  before(async () => {
    upstream = await startEchoUpstream();
    next = await startNext(FIXTURE, undefined, { host: "localhost" });
    approute = await startFixture("rules", { root: next.dir });
  });

  after(async () => {
    next?.close();
    await approute?.close();
    await upstream?.close();
    report();
  });

  test("R126, R148–R150: the differences found so far, as fixed cases", () => {
    const cases: Req[] = [
      // R126: a matcher covers `.json` and RSC spellings, so no route is reached around the proxy.
      { target: "/pa/12.json", headers: [] },
      { target: "/pa/12.rsc", headers: [] },
      { target: "/pa/12.segments/a.segment.rsc", headers: [] },
      { target: "/pm.json", headers: [] },
      // R126: a repeated query key: the last value decides a condition.
      { target: "/pc?px=on", headers: [] },
      { target: "/pc?px=on&px=no", headers: [] },
      { target: "/pc?px=no&px=on", headers: [] },
      { target: "/pc/x?px=yes", headers: [["cookie", "nopx=1"]] },
      { target: "/static", headers: [["x-gate", "1"]] },
      { target: "/neg/skip", headers: [] },
      { target: "/neg/skipx", headers: [] },
      { target: "/p%61/12", headers: [] },
      // R148: repeated params in header names and values, Set-Cookie rules adding up.
      { target: "/h/a/b/c", headers: [] },
      { target: "/h/12/x", headers: [] },
      { target: "/h/abc?nomiss", headers: [] },
      { target: "/af/a/b", headers: [] },
      // R148/R149: a redirect carries no headers() rule's headers.
      {
        target: "/r/old/1",
        headers: [
          ["x-tag", "abc"],
          ["cookie", "theme=dark"],
        ],
      },
      // R149/R150: a destination needing a param the source left optional: 500.
      { target: "/af-opt", headers: [] },
      { target: "/r/opt", headers: [] },
      // R13/R149: a captured `/` never makes a protocol-relative Location.
      { target: "/r/to", headers: [["xto", "/evil.example"]] },
      { target: "/r/to", headers: [["xto", "\\evil.example"]] },
      { target: "/r/to", headers: [["xto", "//evil.example"]] },
      // R149: condition captures: header key case, host regex, cookie parsing, last query value.
      { target: "/r/h2", headers: [["X-Up_1", "u"]] },
      { target: "/r/hostre", headers: [["host", "foo.example.com"]] },
      { target: "/r/cq?to=a%26b", headers: [["cookie", "sess=1"]] },
      { target: "/r/cq?to=", headers: [["cookie", "sess=1"]] },
      { target: "/r/q?to=abc&to=xyz", headers: [] },
      { target: "/r/c", headers: [["cookie", "sess=1; sess=abc"]] },
      { target: "/r/c", headers: [["cookie", "sess=abc; sess=12"]] },
      { target: "/r/c", headers: [["cookie", 'sess="12"']] },
      { target: "/r/c", headers: [["cookie", "sess=%31%32"]] },
      { target: "/r/c", headers: [["cookie", " sess = 12 "]] },
      { target: "/r/plus/a/b?from=x&y=1", headers: [] },
      // R149: a redirect's own query keeps a path param's escapes; a captured `&` stays inside.
      { target: "/r/multi/a%2Fb/x?to=a%2Fb", headers: [] },
      { target: "/r/multi/a%2Fb/x", headers: [] },
      { target: "/r/cq?to=x", headers: [["cookie", "sess=a%26b%3Dc"]] },
      { target: "/r/cq?to=x", headers: [["cookie", "sess=1%25"]] },
      { target: "/items/5?bf", headers: [] },
      // R150: external rewrites: the params a destination does not use go into its query, printed
      // as a redirect's; X-Forwarded-Host is the Host; no headers() on the upstream's answer.
      { target: "/ext-np/a%2fb?q=1", headers: [] },
      { target: "/ext-q/7?x=0&y=a%26b", headers: [] },
      { target: "/ext/a/b", headers: [["x-forwarded-host", "evil.example"]] },
      { target: "/ext/a", headers: [["host", "foo.example.com"]] },
      { target: "/ext-h", headers: [["x-v", "12"]] },
      // R127/R150: rewrites chain within a phase; beforeFiles rewrites are not checked against the
      // routes, so after one leads to a dynamic route, afterFiles rules still apply.
      { target: "/bfd/x", headers: [] },
      { target: "/bfd/new", headers: [] },
      { target: "/bfc/1", headers: [] },
      { target: "/chain/1", headers: [] },
      { target: "/chainfb/1", headers: [] },
      // R5: `index` as the only element of an optional catch-all (a deliberate difference).
      { target: "/echo/index", headers: [] },
      { target: "/echo/%69ndex", headers: [] },
      { target: "/echo/a/index", headers: [] },
      { target: "/echo/index/index", headers: [] },
      // R127/R129: headers() and redirects() run once, on the requested path, before the proxy; a
      // proxy rewrite does not run them (nor the proxy) again on its target, whether a route serves
      // the target or not, while beforeFiles/afterFiles/fallback rewrites do apply to the target.
      // (next start bound to another address than localhost forwards the rewrite to itself over
      // HTTP and runs all of them again: see StartNextOptions.host.)
      { target: "/pd/miss/a", headers: [] },
      { target: "/pd/miss/a/b?q=1", headers: [["x-tag", "abc"]] },
      { target: "/pd/rw/1/2?q=1", headers: [] },
      { target: "/pd/af/a/b?q=1", headers: [] },
      { target: "/pd/to/nope/x", headers: [] },
      { target: "/pd/to/echo/x?y=1", headers: [] },
      { target: "/pd/to/r/old/1", headers: [] },
      { target: "/pd/to/pd/rw/1", headers: [] },
      { target: "/pd/to/af/x", headers: [] },
      { target: "/pd/to/items/5", headers: [] },
      { target: "/pd/to/fb/x", headers: [] },
      { target: "/pd/to/bf/x", headers: [] },
      { target: "/pd/to/ext/a", headers: [] },
      { target: "/pd/to/h/1", headers: [] },
      { target: "/nope/x", headers: [] },
      // The same for next.config rewrites (R127, R148–R150), in each phase.
      { target: "/bf-nope/x", headers: [] },
      { target: "/af-nope/x?q=1", headers: [] },
      { target: "/fb-nope/x", headers: [] },
      { target: "/bf-r/1", headers: [] },
      { target: "/af-r/1", headers: [] },
      // R149: no redirect under /_next.
      { target: "/_next/r-any", headers: [] },
      { target: "/_NEXT/r-any", headers: [] },
      { target: "/x/r-any", headers: [] },
      // R148–R150: a query key repeated in the request, in has and missing conditions.
      { target: "/r/qa?to=a&to=b", headers: [] },
      { target: "/r/qa?to=a", headers: [] },
      { target: "/r/qa?to=&to=a", headers: [] },
      { target: "/r/qa?to=a&to=", headers: [] },
      { target: "/r/qs?to=a&to=b", headers: [] },
      { target: "/r/qs?to=a", headers: [] },
      { target: "/r/qq?to=a&to=b", headers: [] },
      { target: "/r/qq?to=a%26b&to=c", headers: [] },
      { target: "/r/qm?to=a&to=", headers: [] },
      { target: "/r/qm?to=&to=", headers: [] },
      { target: "/r/qm?to=", headers: [] },
      { target: "/r/qn?to=abc&to=x", headers: [] },
      { target: "/r/qn?to=x&to=abc", headers: [] },
      { target: "/r/q?to=abc&to=XYZ", headers: [] },
      { target: "/r/q?to=XYZ&to=abc", headers: [] },
      { target: "/hq?to=a&to=b", headers: [] },
      { target: "/hqs?to=a&to=b", headers: [] },
      { target: "/hqs?to=a", headers: [] },
      { target: "/hqv?to=a&to=B", headers: [] },
      { target: "/hqv?to=B&to=a", headers: [] },
      { target: "/hqv?to=a&to=", headers: [] },
      { target: "/hq?to=a&to=", headers: [] },
      { target: "/r/qn?to=abc&to=", headers: [] },
      { target: "/r/qs?to=a%2Fb&to=c", headers: [] },
      { target: "/r/qs?to=&to=", headers: [] },
      { target: "/af-rq?to=a&to=b", headers: [] },
      { target: "/af-rqs?to=a&to=b", headers: [] },
      { target: "/ext-rq?to=a&to=b", headers: [] },
      { target: "/ext-rqp?to=a&to=b", headers: [] },
      { target: "/ext-rqp?to=a", headers: [] },
      // R148–R150: non-ASCII and percent-encoded characters in sources, destinations and captures.
      { target: "/café/1", headers: [] },
      { target: "/caf%C3%A9/1", headers: [] },
      { target: "/caf%c3%a9/1", headers: [] },
      { target: "/CAFÉ/1", headers: [] },
      { target: "/CAF%C3%89/1", headers: [] },
      { target: "/café/a%2Fb", headers: [] },
      { target: "/ü/x", headers: [] },
      { target: "/%C3%BC/x", headers: [] },
      { target: "/ñ/x", headers: [] },
      { target: "/%C3%B1/caf%C3%A9", headers: [] },
      { target: "/ñ/café", headers: [] },
      { target: "/pct%20h/1", headers: [] },
      { target: "/r/uni/1", headers: [] },
      { target: "/r/uni/caf%C3%A9", headers: [] },
      { target: "/r/uni/café", headers: [] },
      { target: "/r/enc/a%2Fb", headers: [] },
      { target: "/r/enc/a%252Fb", headers: [] },
      { target: "/r/enc/%E2%82%AC", headers: [] },
      { target: "/r/enc/%ZZ", headers: [] },
      { target: "/r/enc/%C3", headers: [] },
      { target: "/r/enc/a%3Fb", headers: [] },
      { target: "/r/enc/a%23b", headers: [] },
      { target: "/r/pct%2Fs/1", headers: [] },
      { target: "/r/pct/s/1", headers: [] },
      { target: "/r/uext/a%20b", headers: [] },
      { target: "/af-uni/café", headers: [] },
      { target: "/af-uni/a%2Fb", headers: [] },
      { target: "/ext-uni/caf%C3%A9", headers: [] },
      { target: "/ext-uni/a%2Fb", headers: [] },
      { target: "/r/euro", headers: [] },
      { target: "/r/uni/a.b?PX=%20x", headers: [["cookie", "sess=1%25"]] },
    ];
    return fixed(cases);
  });

  const target = targets({ slash: 1 / 6 });

  test(`R148–R150, R126: paths and queries aimed at the rules (seed ${SEED})`, () =>
    check(
      "path",
      target.map((t) => ({ target: t, headers: [] })),
    ));

  test(`R127, R148–R150: other methods go through the same rules (seed ${SEED})`, () =>
    check(
      "methods",
      fc
        .tuple(fc.constantFrom("HEAD", "POST", "OPTIONS", "DELETE"), target)
        .map(([method, t]) => ({ method, target: t, headers: [] })),
      150,
    ));

  test(`R148–R150, R126: has/missing conditions on header, cookie, query and host (seed ${SEED})`, () =>
    check(
      "conditions",
      fc.tuple(target, conditions).map(([t, headers]) => ({ target: t, headers })),
    ));
});
