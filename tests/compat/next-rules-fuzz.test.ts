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
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type NextServer, startNext } from "../helpers/next.ts";
import { type RawResponse, rawRequest } from "../helpers/raw.ts";

const FIXTURE = fileURLToPath(new URL("./rules-app/", import.meta.url));
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SURVEY = process.env.FUZZ_SURVEY === "1";

interface Req {
  target: string;
  headers: Array<[string, string]>;
}

// --- Generators ---------------------------------------------------------------------------------

/** Path starts that reach each rule of rules-app/next.config.mjs and each proxy matcher, with the
 * number of segments after them that the rule wants. */
const prefix = fc.constantFrom<[string, number]>(
  ["/h", 1],
  ["/h", 2],
  ["/h", 3],
  ["/r/old", 1],
  ["/r/perm", 2],
  ["/r/plus", 2],
  ["/r/opt", 1],
  ["/r/opt", 0],
  ["/r/num", 1],
  ["/r/q", 0],
  ["/r/h", 0],
  ["/r/c", 0],
  ["/r/m", 0],
  ["/r/ext", 2],
  ["/r/wild", 2],
  ["/r/multi", 2],
  ["/r/host", 0],
  ["/r/keep", 0],
  ["/r/to", 0],
  ["/r/h2", 0],
  ["/r/hostre", 0],
  ["/r/cq", 0],
  ["/bf", 1],
  ["/items", 1],
  ["/af", 2],
  ["/p", 1],
  ["/af-q", 1],
  ["/af-h", 0],
  ["/af-opt", 1],
  ["/af-opt", 2],
  ["/fb", 2],
  ["/pm", 1],
  ["/pa", 1],
  ["/pb", 2],
  ["/pc", 1],
  ["/pc", 0],
  ["/pd", 2],
  ["/pd/rw", 2],
  ["/pe", 2],
  ["/static", 0],
  ["/echo", 1],
  ["", 1],
  ["/neg", 1],
  ["/p%61", 1],
  ["/%70m", 1],
  ["/r/%6Fld", 1],
  ["/it%65ms", 1],
);
/** Segments: values the params take, and near misses (case, suffixes, escapes, dots). */
const segment = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      "abc",
      "12",
      "007",
      "x",
      "ABC",
      "new",
      "a.b",
      "12.json",
      "12.rsc",
      "x.json",
      "%20",
      "a%2Fb",
      "a%2fb",
      "caf%C3%A9",
      "café",
      "%41",
      "%31%32",
      "a;b",
      "a+b",
      "a:b",
      "-",
      "_x",
      "index",
      "skip",
      "skipx",
      "SKIP",
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom("", ".", "..", "%2e") },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9]{1,4}$/) },
);
const caseOf = fc.constantFrom<(s: string) => string>(
  (s) => s,
  (s) => s,
  (s) => s,
  (s) => s,
  (s) => s,
  (s) => s.toUpperCase(),
  (s) => s.replace(/\/(\w)/, (_, c: string) => `/${c.toUpperCase()}`),
);
const queryPair = fc
  .tuple(
    fc.constantFrom("to", "bf", "px", "nomiss", "x", "a", "via", "id", "from", "To", "PX"),
    fc.option(
      fc.constantFrom("abc", "123", "ABC", "", "on", "yes", "YES", "%20x", "a+b", "q%26r", "1", "ab1"),
      { nil: undefined },
    ),
  )
  .map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
const query = fc
  .array(queryPair, { maxLength: 3 })
  .chain((pairs) => fc.constantFrom(pairs.length === 0 ? "" : `?${pairs.join("&")}`, `?${pairs.join("&")}`));

const target = fc
  .tuple(
    prefix.chain(([p, arity]) =>
      fc.tuple(
        fc.constant(p),
        fc.oneof(
          { weight: 3, arbitrary: fc.array(segment, { minLength: arity, maxLength: arity }) },
          { weight: 1, arbitrary: fc.array(segment, { maxLength: 3 }) },
        ),
      ),
    ),
    caseOf,
    fc.constantFrom(false, false, false, false, false, true),
    query,
  )
  .map(([[p, segs], cased, slash, q]) => {
    let path = cased(p) + segs.map((s) => `/${s}`).join("");
    if (slash || path === "") path += "/";
    return path + q;
  });

/** The request headers the rules' conditions look at, with near misses. */
const condition = fc.constantFrom<[string, string]>(
  ["x-tag", "abc"],
  ["x-tag", "ABC"],
  ["x-tag", "a1"],
  ["x-tag", ""],
  ["xgo", "yes"],
  ["xgo", "a b"],
  ["xgo", "%2F"],
  ["xgo", ""],
  ["xto", "/evil.example"],
  ["xto", "\\evil.example"],
  ["xto", "a/b"],
  ["x-v", "12"],
  ["x-v", "a"],
  ["x-gate", "1"],
  ["x-skip", "1"],
  ["x-skip", "0"],
  ["host", "localhost:3000"],
  ["host", "foo.example.com"],
  ["host", "FOO.example.com"],
  ["host", "a.b.example.com"],
  ["host", "example.com"],
  ["host", "foo.example.com:8080"],
  ["cookie", "theme=dark"],
  ["cookie", "theme="],
  ["cookie", "sess=123"],
  ["cookie", "sess=abc"],
  ["cookie", "Sess=1"],
  ["cookie", "nopx=1"],
  ["cookie", "sess=12; theme=light"],
  ["cookie", "sess=1; sess=abc"],
  ["cookie", "sess=abc; sess=12"],
  ["cookie", 'sess="12"'],
  ["cookie", "sess=%31%32"],
  ["cookie", " sess = 12 ;theme=x"],
  ["cookie", "sess=%ZZ"],
  ["cookie", "nopx="],
  ["cookie", "sess=a%26b%3Dc"],
  ["cookie", "sess=1%25"],
  ["cookie", "sess=x%23y"],
  ["x-up_1", "u"],
  ["X-UP_1", "%2F"],
  ["x-v", "1a"],
);
const conditions = fc.uniqueArray(condition, { maxLength: 3, selector: ([name]) => name });

// --- Comparison ---------------------------------------------------------------------------------

interface Seen {
  status: number;
  headers: Record<string, string>;
  /** null: not compared (Next's HTML pages). */
  body: unknown;
}

function toRaw(req: Req): string {
  const headers = new Map<string, string>([["host", "localhost"]]);
  for (const [k, v] of req.headers) headers.set(k, v);
  headers.set("connection", "close");
  let text = `GET ${req.target} HTTP/1.1\r\n`;
  for (const [k, v] of headers) text += `${k}: ${v}\r\n`;
  return `${text}\r\n`;
}

function seen(res: RawResponse | null, url: string): Seen {
  if (res === null) return { status: 0, headers: {}, body: null };
  const port = new URL(url).port;
  const local = (s: string) => s.replaceAll(`localhost:${port}`, "localhost:<port>");
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(res.headers)) {
    if (name === "location" || name === "x-px" || name === "set-cookie" || name.startsWith("x-h-"))
      headers[name] = local(values.join("\n"));
  }
  const json = /json/.test(res.headers["content-type"]?.[0] ?? "");
  return { status: res.status, headers, body: json ? JSON.parse(local(res.body)) : null };
}

/**
 * Deliberate differences: each checks its side, then removes what it covers, so the rest of the
 * answer is still compared. Returns false when it does not apply.
 */
const DELIBERATE: Array<{ why: string; apply(req: Req, next: Seen, ours: Seen): boolean }> = [
  {
    why:
      "R149: next start prints a redirect destination's own query values raw, so a captured cookie " +
      "holding `&`, `#` or `%` adds parameters to (or cuts) the Location; approute escapes those " +
      "characters, so the value arrives whole",
    apply(req, next, ours) {
      const cookie = req.headers.find(([k]) => k === "cookie")?.[1];
      const sess = cookie === undefined ? undefined : /(?:^|;)\s*sess=([^;]*)/.exec(cookie)?.[1];
      if (sess === undefined || !/%(26|23|25)/.test(sess)) return false;
      const theirs = next.headers.location;
      const mine = ours.headers.location;
      if (theirs === undefined || mine === undefined || theirs === mine) return false;
      const value = decodeURIComponent(sess);
      assert.ok(theirs.includes(`s=${value}`), `next start's Location ${theirs}`);
      assert.equal(new URL(mine, "http://x").searchParams.get("s"), value, "approute's Location");
      ours.headers.location = theirs;
      return true;
    },
  },
  {
    why:
      "R126, checklist 5: `<path>.rsc` is next start's RSC spelling of `<path>`: its proxy runs (as " +
      "approute's does) but is shown the path without `.rsc`; approute has no RSC, so its proxy " +
      "sees the path as requested",
    apply(req, next, ours) {
      const path = req.target.split("?")[0]!;
      const seenByNext = next.headers["x-px"];
      if (!/\.rsc\/?$/.test(path) || seenByNext === undefined) return false;
      assert.equal(ours.headers["x-px"]?.replace(/\.rsc(\/?)(?=\?|$)/, "$1"), seenByNext);
      ours.headers["x-px"] = seenByNext;
      for (const side of [next, ours]) {
        const body = side.body as { proxied?: string } | null;
        if (body?.proxied) body.proxied = seenByNext;
      }
      return true;
    },
  },
];

/** Properties of approute's answer alone, whatever Next does. */
function safe(ours: Seen, next: Seen): string | null {
  if (ours.status === 0) return "approute closed the connection without an answer";
  const location = ours.headers.location;
  if (location && /^[\\/]{2}|^\/\\/.test(location)) return `open redirect: Location ${location}`;
  if (ours.status >= 500 && next.status < 500) return `approute answered ${ours.status}`;
  return null;
}

async function send(url: string, req: Req): Promise<RawResponse | null> {
  try {
    return await rawRequest(url, toRaw(req));
  } catch {
    return null;
  }
}

describe("differential fuzz of next.config rules and the proxy matcher: approute vs next start", {
  timeout: 600_000,
}, () => {
  let next: NextServer;
  let approute: FixtureServer;
  const survey: string[] = [];
  /** In a survey: next start's answers by status, proxy run and first segment. */
  const stats = new Map<string, number>();

  before(async () => {
    next = await startNext(FIXTURE);
    approute = await startFixture("rules", { root: next.dir });
  });

  after(async () => {
    next?.close();
    await approute?.close();
    if (SURVEY) {
      console.log(
        [...stats]
          .sort()
          .map(([k, n]) => `${k}: ${n}`)
          .join("\n"),
      );
      console.log(`${survey.length} differences\n${survey.join("\n\n")}`);
    }
  });

  async function differ(req: Req): Promise<string | null> {
    const [a, b] = await Promise.all([send(next.url, req), send(approute.url, req)]);
    if (SURVEY) {
      const key = `${a?.status ?? 0} ${a?.headers["x-px"] ? "px" : "--"} ${req.target.split(/[/?]/)[1]}`;
      stats.set(key, (stats.get(key) ?? 0) + 1);
    }
    const theirs = seen(a, next.url);
    const ours = seen(b, approute.url);
    let problem = safe(ours, theirs);
    const applied: string[] = [];
    try {
      for (const d of DELIBERATE) if (d.apply(req, theirs, ours)) applied.push(d.why);
    } catch (error) {
      problem ??= `a deliberate difference no longer holds: ${(error as Error).message}`;
    }
    // Next's HTML error pages: status only.
    if (theirs.body === null && ours.body === null && theirs.status === 404) ours.body = theirs.body;
    if (!problem) {
      try {
        assert.deepEqual(ours, theirs);
      } catch {
        problem = "answers differ";
      }
    }
    if (!problem) return null;
    return [
      `${problem} (seed ${SEED})`,
      `request: ${JSON.stringify(toRaw(req))}`,
      `next start: ${JSON.stringify(theirs)}`,
      `approute:   ${JSON.stringify(ours)}`,
      applied.length ? `deliberate differences applied: ${applied.join("; ")}` : "",
    ].join("\n");
  }

  async function check(name: string, arb: fc.Arbitrary<Req>, runs = RUNS) {
    if (SURVEY) {
      for (const req of fc.sample(arb, { seed: SEED, numRuns: runs })) {
        const problem = await differ(req);
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

  test("R126, R148–R150: the differences found so far, as fixed cases", async () => {
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
    ];
    const problems: string[] = [];
    for (const req of cases) {
      const problem = await differ(req);
      if (problem) problems.push(problem);
    }
    assert.deepEqual(problems, []);
  });

  test(`R148–R150, R126: paths and queries aimed at the rules (seed ${SEED})`, () =>
    check(
      "path",
      target.map((t) => ({ target: t, headers: [] })),
    ));

  test(`R148–R150, R126: has/missing conditions on header, cookie, query and host (seed ${SEED})`, () =>
    check(
      "conditions",
      fc.tuple(target, conditions).map(([t, headers]) => ({ target: t, headers })),
    ));
});
