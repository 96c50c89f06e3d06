// Shared by the rule-engine differential fuzz files (tests/compat/next-rules-fuzz*.test.ts):
// generators aimed at tests/compat/rules-app's next.config rules and proxy matchers, and the
// comparison of next start's and approute's answers, with the deliberate differences.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import type { FixtureServer } from "./fixture.ts";
import type { NextServer } from "./next.ts";
import { type RawResponse, rawRequest } from "./raw.ts";

export const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
export const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
export const SURVEY = process.env.FUZZ_SURVEY === "1";

/**
 * The server external rewrites lead to (R150): it answers what it was asked, as JSON. Started
 * before the builds, which read its address from RULES_UPSTREAM in rules-app/next.config.mjs.
 */
export async function startEchoUpstream(): Promise<{ close(): Promise<void> }> {
  const names = [
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-port",
    "x-forwarded-for",
    "cookie",
    "x-tag",
  ];
  const server = createServer((req, res) => {
    const seen: Record<string, string | string[] | undefined> = {};
    for (const name of names) seen[name] = req.headers[name];
    res.setHeader("content-type", "application/json");
    res.setHeader("x-up", "1");
    res.end(JSON.stringify({ route: "upstream", method: req.method, url: req.url, headers: seen }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  process.env.RULES_UPSTREAM = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Req {
  /** GET unless given. */
  method?: string;
  target: string;
  headers: Array<[string, string]>;
}

// --- Generators ---------------------------------------------------------------------------------

/** Path starts that reach each rule of rules-app/next.config.mjs and each proxy matcher, with the
 * number of segments after them that the rule wants. */
export const PREFIXES: Array<[string, number]> = [
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
  // Proxy rewrites to a missing path, to an afterFiles rewrite's source, and to any path (R127, R129).
  ["/pd/miss", 1],
  ["/pd/miss", 2],
  ["/pd/af", 2],
  ["/pd/to/nope", 1],
  ["/pd/to/echo", 1],
  ["/pd/to/r/old", 1],
  ["/pd/to/pd/rw", 1],
  ["/pd/to/af", 1],
  ["/nope", 1],
  ["/bf-nope", 1],
  ["/bf-r", 1],
  ["/af-nope", 1],
  ["/af-r", 1],
  ["/fb-nope", 1],
  ["/pe", 2],
  ["/static", 0],
  ["/echo", 1],
  ["", 1],
  ["/neg", 1],
  ["/p%61", 1],
  ["/%70m", 1],
  ["/r/%6Fld", 1],
  ["/it%65ms", 1],
  // basePath: false rules of the basePath variant.
  ["/free", 1],
  ["/nobase", 1],
  ["/r/abs", 1],
  ["/ext", 2],
  ["/ext-q", 1],
  ["/ext-np", 1],
  ["/ext-h", 0],
  ["/bfd", 1],
  ["/bfc", 1],
  ["/chain", 1],
  ["/chainfb", 1],
  ["/nb-out", 1],
  ["/nb-has", 1],
  ["/nb-in", 2],
  ["/nb-ext", 2],
  ["/nb-ext2", 1],
  ["/nb-fb", 1],
  ["/nb-fb2", 1],
  ["/_next/r-any", 0],
  ["/_NEXT/r-any", 0],
  ["/_nextx/r-any", 0],
  ["/x/r-any", 0],
  ["/hq", 0],
  ["/hqs", 0],
  ["/hqv", 0],
  ["/r/qa", 0],
  ["/r/qs", 0],
  ["/r/qq", 0],
  ["/r/qm", 0],
  ["/r/qn", 0],
  ["/af-rq", 0],
  ["/af-rqs", 0],
  ["/ext-rq", 0],
  ["/ext-rqp", 0],
  ["/café", 1],
  ["/caf%C3%A9", 1],
  ["/caf%c3%a9", 1],
  ["/ü", 1],
  ["/%C3%BC", 1],
  ["/ñ", 1],
  ["/%C3%B1", 1],
  ["/pct%20h", 1],
  ["/pct h", 1],
  ["/r/uni", 1],
  ["/r/enc", 1],
  ["/r/pct%2Fs", 1],
  ["/r/pct/s", 1],
  ["/r/uext", 1],
  ["/af-uni", 1],
  ["/ext-uni", 1],
  ["/r/euro", 0],
];
/** Segments: values the params take, and near misses (case, suffixes, escapes, dots). */
export const segment = fc.oneof(
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
export const caseOf = fc.constantFrom<(s: string) => string>(
  (s) => s,
  (s) => s,
  (s) => s,
  (s) => s,
  (s) => s,
  (s) => s.toUpperCase(),
  (s) => s.replace(/\/(\w)/, (_, c: string) => `/${c.toUpperCase()}`),
);
export const queryPair = fc
  .tuple(
    fc.constantFrom("to", "bf", "px", "nomiss", "x", "a", "via", "id", "from", "To", "PX"),
    fc.option(
      fc.constantFrom("abc", "123", "ABC", "", "on", "yes", "YES", "%20x", "a+b", "q%26r", "1", "ab1"),
      { nil: undefined },
    ),
  )
  .map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
export const query = fc
  .array(queryPair, { maxLength: 3 })
  .chain((pairs) => fc.constantFrom(pairs.length === 0 ? "" : `?${pairs.join("&")}`, `?${pairs.join("&")}`));

/**
 * Targets aimed at the rules: one of `PREFIXES` (mostly with the number of segments its rule wants),
 * a case change now and then, a trailing slash with probability `slash`, a query. `mount` puts
 * `basePath` in front most of the time.
 */
export function targets(options: { slash: number; mount?: string }): fc.Arbitrary<string> {
  const { slash, mount } = options;
  return fc
    .tuple(
      fc
        .constantFrom(...PREFIXES)
        .chain(([p, arity]) =>
          fc.tuple(
            fc.constant(p),
            fc.oneof(
              { weight: 3, arbitrary: fc.array(segment, { minLength: arity, maxLength: arity }) },
              { weight: 1, arbitrary: fc.array(segment, { maxLength: 3 }) },
            ),
          ),
        ),
      caseOf,
      // Out of ten, round(10 × slash) get the slash (fc.double would favour 0 and 1).
      fc.constantFrom(...Array.from({ length: 10 }, (_, i) => 9 - i < Math.round(slash * 10))),
      mount === undefined ? fc.constant("") : fc.constantFrom(mount, mount, mount, mount, "", "/BASE"),
      query,
    )
    .map(([[p, segs], cased, trailing, m, q]) => {
      let path = m + cased(p) + segs.map((s) => `/${s}`).join("");
      if (trailing || path === "") path += "/";
      return path + q;
    });
}

/** The request headers the rules' conditions look at, with near misses. */
export const condition = fc.constantFrom<[string, string]>(
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
  ["x-forwarded-host", "evil.example"],
  ["x-forwarded-for", "1.2.3.4"],
  ["x-forwarded-proto", "https"],
);
export const conditions = fc.uniqueArray(condition, { maxLength: 3, selector: ([name]) => name });

// --- Comparison ---------------------------------------------------------------------------------

export interface Seen {
  status: number;
  headers: Record<string, string>;
  /** null: not compared (Next's HTML pages). */
  body: unknown;
}

export function toRaw(req: Req): string {
  const headers = new Map<string, string>([["host", "localhost"]]);
  for (const [k, v] of req.headers) headers.set(k, v);
  headers.set("connection", "close");
  if (req.method === "POST") headers.set("content-length", "0");
  let text = `${req.method ?? "GET"} ${req.target} HTTP/1.1\r\n`;
  for (const [k, v] of headers) text += `${k}: ${v}\r\n`;
  return `${text}\r\n`;
}

export function seen(res: RawResponse | null, url: string): Seen {
  if (res === null) return { status: 0, headers: {}, body: null };
  const port = new URL(url).port;
  const local = (s: string) => s.replaceAll(`localhost:${port}`, "localhost:<port>");
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(res.headers)) {
    if (
      name === "location" ||
      name === "x-px" ||
      name === "x-up" ||
      name === "set-cookie" ||
      name.startsWith("x-h-")
    )
      headers[name] = local(values.join("\n"));
  }
  const json = /json/.test(res.headers["content-type"]?.[0] ?? "");
  const body = json && res.body !== "" ? JSON.parse(local(res.body)) : null;
  // What each server tells an external rewrite's upstream of its own port (R47, R150).
  const up = (body as { headers?: Record<string, unknown> } | null)?.headers;
  if (up?.["x-forwarded-port"] === port) up["x-forwarded-port"] = "<port>";
  return { status: res.status, headers, body };
}

/**
 * Deliberate differences: each checks its side, then removes what it covers, so the rest of the
 * answer is still compared. Returns false when it does not apply.
 */
export const DELIBERATE: Array<{ why: string; apply(req: Req, next: Seen, ours: Seen): boolean }> = [
  {
    why:
      "R5: next start drops `index` when it is the only segment an optional catch-all receives " +
      "(`/echo/index` and `/echo/%69ndex` give `{}`, as `/echo` does; `/echo/a/index` keeps it); " +
      'approute delivers the segment that was sent: `rest: ["index"]`',
    apply(_req, next, ours) {
      type Echo = { route?: string; params?: { rest?: string[] } | null };
      const theirs = next.body as Echo | null;
      const mine = ours.body as Echo | null;
      if (theirs?.route !== "echo" || mine?.route !== "echo" || !theirs.params || !mine.params) return false;
      if ("rest" in theirs.params || mine.params.rest?.length !== 1 || mine.params.rest[0] !== "index")
        return false;
      delete mine.params.rest;
      return true;
    },
  },
  {
    why:
      "R129: a handler reached through a proxy rewrite sees, with next start in its usual setup " +
      "(one routing pass), the URL the client requested in request.url and nextUrl: the rewrite's " +
      "own path and query are nowhere to be seen (only its params arrive). approute shows the " +
      "handler the rewrite's target, path and query, as next start itself does when bound to " +
      "127.0.0.1 (it then forwards the rewrite to itself over HTTP)",
    apply(_req, next, ours) {
      type Seen = { route?: string; pathname?: string; search?: string; query?: unknown; url?: string };
      const theirs = next.body as Seen | null;
      const mine = ours.body as Seen | null;
      const sawByProxy = ours.headers["x-px"];
      if (!theirs?.url || !mine?.url || theirs.route !== mine.route || sawByProxy === undefined) return false;
      // Paths without the basePath variant's `/base` (that difference is the basePath entry's).
      const path = (url: string) =>
        url.slice(url.indexOf("/", url.indexOf("//") + 2)).replace(/^\/base(?=[/?]|$)/, "");
      // Next's handler sees what the proxy saw; ours the rewrite's target.
      if (path(theirs.url) !== sawByProxy || path(mine.url) === sawByProxy) return false;
      if (mine.pathname !== undefined)
        assert.equal(path(mine.url), `${mine.pathname}${mine.search}`, "approute's request.url");
      for (const key of ["pathname", "search", "query", "url"] as const)
        if (key in theirs) mine[key] = structuredClone(theirs[key]) as never;
      return true;
    },
  },
  {
    why:
      "R148–R150: a query key the request repeats, captured by a `has` condition without `value` and " +
      "used where one value goes (`:to`, not `:to*`), makes next start fail the request with 500 " +
      "(path-to-regexp refuses the array): any client could cause it. approute uses the last value, " +
      "the one a `value` regex is tested against",
    apply(req, next, ours) {
      const [path = "", q = ""] = req.target.split("?");
      if (next.status !== 500 || !/^\/(r\/qa|r\/qq|hq|af-rq|ext-rq)\/?$/i.test(path)) return false;
      const values = new URLSearchParams(q).getAll("to");
      if (values.length < 2) return false;
      assert.ok(ours.status !== 500 && ours.status !== 0, `approute answered ${ours.status}`);
      const last = values[values.length - 1]!;
      const text = JSON.stringify(ours);
      assert.ok(last === "" || text.includes(last) || text.includes(encodeURIComponent(last)), text);
      Object.assign(ours, structuredClone(next));
      return true;
    },
  },
  {
    why:
      "R150: an external rewrite is a reverse proxy: approute tells the upstream the client's " +
      "address, scheme and port (X-Forwarded-For/-Proto/-Port, as next start gives its own " +
      "handlers, R47); next start passes on only what the client sent",
    apply(req, next, ours) {
      type Up = { route?: string; headers?: Record<string, string | undefined> };
      const theirs = next.body as Up | null;
      const mine = ours.body as Up | null;
      if (theirs?.route !== "upstream" || mine?.route !== "upstream") return false;
      for (const name of ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-port"]) {
        const sent = req.headers.find(([k]) => k === name)?.[1];
        // After the proxy ran (a proxy rewrite to an external rewrite's source), next start has
        // added them too (R47), and both answers are compared as they are.
        if (sent !== undefined || theirs.headers?.[name] !== undefined) continue;
        assert.equal(theirs.headers?.[name], undefined, `next start sent ${name}`);
        assert.ok(mine.headers?.[name], `approute did not send ${name}`);
        delete mine.headers![name];
      }
      return true;
    },
  },
  {
    why:
      "R146: next start drops basePath from a route handler's request.url (vercel/next.js#62756, " +
      "open in 16.4.6); approute keeps the URL the client asked for, basePath included",
    apply(_req, next, ours) {
      const theirs = (next.body as { url?: string } | null)?.url;
      const mine = (ours.body as { url?: string } | null)?.url;
      if (theirs === undefined || mine === undefined || theirs === mine) return false;
      const withBase = theirs.replace("localhost:<port>/", "localhost:<port>/base/");
      if (withBase === theirs || mine !== withBase) return false;
      (ours.body as { url: string }).url = theirs;
      return true;
    },
  },
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
      // Only the rules that put the cookie into the Location's `s`.
      if (theirs === undefined || mine === undefined || theirs === mine || !/[?&]s=/.test(theirs))
        return false;
      const value = decodeURIComponent(sess);
      assert.ok(theirs.includes(`s=${value}`), `next start's Location ${theirs}`);
      assert.equal(new URL(mine, "http://x").searchParams.get("s"), value, "approute's Location");
      ours.headers.location = theirs;
      return true;
    },
  },
  {
    why:
      "R149: next start writes non-ASCII text of a redirect destination's own query into the " +
      "Location as raw Latin-1 bytes (not UTF-8; a character beyond Latin-1 makes every such request " +
      "answer 500); approute percent-encodes its UTF-8, as a URL must be",
    apply(_req, next, ours) {
      const mine = ours.headers.location;
      if (mine === undefined) return false;
      const theirs = next.headers.location;
      const utf8 = (text: string) => text.replace(/[^\0-\x7f]/gu, (c) => encodeURIComponent(c));
      if (theirs === undefined) {
        // Next fails; ours carries the escaped character.
        if (next.status !== 500 || !/^30[1278]$/.test(String(ours.status))) return false;
        let decoded: string;
        try {
          decoded = decodeURIComponent(mine);
        } catch {
          return false;
        }
        if (!/[^\0-\xff]/u.test(decoded)) return false;
        Object.assign(ours, structuredClone(next));
        return true;
      }
      if (theirs === mine || !/[^\0-\x7f]/.test(theirs)) return false;
      assert.equal(mine, utf8(theirs), "approute's Location");
      ours.headers.location = theirs;
      return true;
    },
  },
  {
    why:
      "R149: a `%` starting no escape, captured from the path into a redirect destination's own " +
      "query: next start prints it raw (an invalid URL); approute writes `%25`, so the value " +
      "arrives as sent",
    apply(_req, next, ours) {
      const theirs = next.headers.location;
      const mine = ours.headers.location;
      if (theirs === undefined || mine === undefined || theirs === mine) return false;
      const q = theirs.indexOf("?");
      if (q === -1 || !/%(?![0-9A-Fa-f]{2})/.test(theirs.slice(q))) return false;
      const fixed = theirs.slice(0, q) + theirs.slice(q).replace(/%(?![0-9A-Fa-f]{2})/g, "%25");
      if (mine !== fixed) return false;
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
export function safe(ours: Seen, next: Seen): string | null {
  if (ours.status === 0) return "approute closed the connection without an answer";
  const location = ours.headers.location;
  if (location && /^[\\/]{2}|^\/\\/.test(location)) return `open redirect: Location ${location}`;
  if (ours.status >= 500 && next.status < 500) return `approute answered ${ours.status}`;
  return null;
}

export async function send(url: string, req: Req): Promise<RawResponse | null> {
  try {
    return await rawRequest(url, toRaw(req), { head: req.method === "HEAD" });
  } catch {
    return null;
  }
}

export interface Differ {
  /** Sends `req` to both servers; a description of the difference, or null. */
  differ(req: Req): Promise<string | null>;
  /** A property over `arb` (in a survey: every sample, differences collected). */
  check(name: string, arb: fc.Arbitrary<Req>, runs?: number): Promise<void>;
  /** Every request of `cases` must agree. */
  fixed(cases: Req[]): Promise<void>;
  /** In a survey: prints next start's answers by status and the differences. */
  report(): void;
}

export function createDiffer(servers: () => { next: NextServer; approute: FixtureServer }): Differ {
  const survey: string[] = [];
  /** In a survey: next start's answers by status, proxy run and first segment. */
  const stats = new Map<string, number>();

  async function differ(req: Req): Promise<string | null> {
    const [a, b] = await Promise.all([send(servers().next.url, req), send(servers().approute.url, req)]);
    if (SURVEY) {
      const key = `${a?.status ?? 0} ${a?.headers["x-px"] ? "px" : "--"} ${req.target.split(/[/?]/)[1]}`;
      stats.set(key, (stats.get(key) ?? 0) + 1);
    }
    const theirs = seen(a, servers().next.url);
    const ours = seen(b, servers().approute.url);
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

  async function fixed(cases: Req[]): Promise<void> {
    const problems: string[] = [];
    for (const req of cases) {
      const problem = await differ(req);
      if (problem) problems.push(problem);
    }
    assert.deepEqual(problems, []);
  }

  function report(): void {
    if (!SURVEY) return;
    console.log(
      [...stats]
        .sort()
        .map(([k, n]) => `${k}: ${n}`)
        .join("\n"),
    );
    console.log(`${survey.length} differences\n${survey.join("\n\n")}`);
  }

  return { differ, check, fixed, report };
}
