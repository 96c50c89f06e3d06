// Property tests of route matching and URL decoding (#7, R8, R14–R16): for generated route sets and
// generated request targets the router agrees with a brute-force reference model on which route
// wins, and the app never throws and never answers 5xx, whatever bytes the target holds.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { createApp } from "../runtime/app.js";
import { sourceFromRequest } from "../web/next-request.js";
import { ApprouteError } from "./errors.js";
import type { Segment } from "./route-id.js";
import { createRouter } from "./router.js";

const STATIC_NAMES = ["a", "b", "c", "_x", "a b", "é"];

/** A route: a few segments, the tail possibly a catch-all. Param names are unique per depth. */
const routeArb: fc.Arbitrary<Segment[]> = fc
  .tuple(
    fc.array(
      fc.oneof(
        fc.constantFrom(...STATIC_NAMES).map((value) => ({ kind: "static", value }) as Segment),
        fc.constant(null),
      ),
      {
        maxLength: 3,
      },
    ),
    fc.constantFrom("none", "catchAll", "optionalCatchAll"),
  )
  .map(([middle, tail]) => {
    const segments: Segment[] = middle.map((s, i) => s ?? { kind: "dynamic", name: `p${i}` });
    if (tail !== "none")
      segments.push({ kind: tail as "catchAll" | "optionalCatchAll", name: `rest${segments.length}` });
    return segments;
  });

/** Raw path segments: plain names, their percent-encoded forms, and odd bytes. */
const segmentArb = fc.oneof(
  fc.constantFrom(...STATIC_NAMES),
  fc.constantFrom("%61", "a%20b", "a%20B", "%C3%A9", "%c3%a9", "%5Fx", "_x", "%2F", "%ZZ", "%", "x", "z%2e"),
  fc.stringMatching(/^[a-z%0-9.]{1,4}$/),
);

const RANK = { static: 0, dynamic: 1, catchAll: 2, optionalCatchAll: 3 } as const;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Every way `route` can match `parts`; null when it cannot. */
function matches(route: readonly Segment[], parts: readonly string[]): boolean {
  for (let i = 0; i < route.length; i++) {
    const s = route[i]!;
    if (s.kind === "catchAll") return parts.length > i;
    if (s.kind === "optionalCatchAll") return true;
    if (i >= parts.length) return false;
    if (
      s.kind === "static" &&
      parts[i] !== s.value &&
      !(safeDecode(parts[i]!) === s.value && encodeURIComponent(s.value) === parts[i])
    )
      return false;
  }
  return route.length === parts.length;
}

/** The reference: among all matching routes, the one whose segment kinds are lexicographically least. */
function reference(routes: readonly Segment[][], parts: readonly string[]): number | null {
  let best: number | null = null;
  for (let r = 0; r < routes.length; r++) {
    if (!matches(routes[r]!, parts)) continue;
    if (best === null || compare(routes[r]!, routes[best]!) < 0) best = r;
  }
  return best;
}

function compare(a: readonly Segment[], b: readonly Segment[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = RANK[a[i]!.kind] - RANK[b[i]!.kind];
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function tryRouter(routes: Segment[][]) {
  try {
    return createRouter(routes.map((segments, i) => ({ segments, file: `r${i}`, data: i })));
  } catch (error) {
    if (error instanceof ApprouteError) return null; // a conflicting set is refused at build: not a case
    throw error;
  }
}

test("R8: the router picks the same route as the brute-force reference model", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(routeArb, { maxLength: 8, selector: (r) => JSON.stringify(r) }),
      fc.array(segmentArb, { maxLength: 5 }),
      (routes, parts) => {
        const router = tryRouter(routes);
        fc.pre(router !== null);
        const pathname = `/${parts.join("/")}`;
        const got = router!.match(pathname)?.route.data ?? null;
        const want = reference(routes, parts);
        assert.equal(got, want, `${pathname} over ${JSON.stringify(routes)}`);
      },
    ),
    { numRuns: 3000 },
  );
});

/** An app over a generated route set whose handlers answer their decoded params. */
function appFor(routes: Segment[][]) {
  const handler = async (_req: Request, ctx: { params: Promise<unknown> }) => Response.json(await ctx.params);
  return createApp({
    routes: routes.map((segments, i) => ({
      file: `app/r${i}/route.ts`,
      segments,
      module: { GET: handler, POST: handler },
    })),
    logger: { error() {}, warn() {}, info() {} },
  });
}

const targetArb = fc.oneof(
  fc.array(segmentArb, { maxLength: 5 }).map((parts) => `/${parts.join("/")}`),
  fc.string({ unit: "binary", maxLength: 40 }).map((s) => `/${s}`),
  fc.string({
    unit: fc.constantFrom("/", "\\", "%", "?", "#", ".", "a", "2", "F", "5", "C", "é", "\u0000"),
    maxLength: 30,
  }),
);

test("R14–R16: any request target gets a non-5xx answer and never throws", async () => {
  const source = sourceFromRequest(new Request("http://localhost/"));
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(routeArb, { maxLength: 6, selector: (r) => JSON.stringify(r) }),
      targetArb,
      async (routes, target) => {
        fc.pre(tryRouter(routes) !== null);
        const app = appFor(routes);
        const response = await app.handle(source, target);
        assert.ok(response.status < 500, `${JSON.stringify(target)} → ${response.status}`);
        if (response.status === 200) {
          // Params are decoded exactly once: re-encoding each value gives back a form of the raw segment.
          const params = (await response.json()) as Record<string, string | string[]>;
          for (const value of Object.values(params)) {
            for (const v of Array.isArray(value) ? value : [value]) assert.equal(typeof v, "string");
          }
        }
      },
    ),
    { numRuns: 2000 },
  );
});

test("R14: a dynamic param is decodeURIComponent of its raw segment", async () => {
  const app = appFor([
    [
      { kind: "static", value: "i" },
      { kind: "dynamic", name: "id" },
    ],
  ]);
  const source = sourceFromRequest(new Request("http://localhost/"));
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }), async (value) => {
      const raw = encodeURIComponent(value);
      const response = await app.handle(source, `/i/${raw}`);
      fc.pre(response.status === 200); // "." and ".." style values are fine, but trailing-slash ones redirect
      assert.deepEqual(await response.json(), { id: value });
    }),
    { numRuns: 1000 },
  );
});
