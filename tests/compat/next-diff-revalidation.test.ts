// Differential check of on-demand revalidation against real Next.js 16 (R84, R94, R106–R114):
// tests/fixtures/revalidation-diff (cacheComponents, "use cache" data with cacheTag/cacheLife) and
// tests/fixtures/revalidation-diff-legacy (no cacheComponents: `force-static` and `revalidate = N`
// route handlers, unstable_cache tags) are each built and served by `next build && next start` and
// by approute, and one scripted sequence of invalidating POSTs and GETs runs against each. Every GET records status, `x-nextjs-cache`,
// `cache-control` and whether its body changed since the previous GET of that path (the cached
// functions return random values, so a change means they re-ran). The two traces must be equal.
// After a STALE answer the background regeneration is awaited by asking again until the answer is
// no longer STALE (requests only, no clock).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type NextServer, startNext } from "../helpers/next.ts";

const FIXTURE = fileURLToPath(new URL("../fixtures/revalidation-diff/", import.meta.url));
const LEGACY_FIXTURE = fileURLToPath(new URL("../fixtures/revalidation-diff-legacy/", import.meta.url));

/**
 * Why approute compares concrete paths percent-decoded (see pathnameTagForm in src/cache/tags.ts).
 * Next compares the spelling: a path tag is the pathname of the request that filled the entry, and
 * revalidatePath's path made header-safe, so whether `/a%3Ab`, `/a:b`, `/x%20y` or `/%c3%a9` reach an
 * entry depends on how the client that happened to fill it spelt the URL.
 */
const DECODED_PATHS =
  "approute compares concrete paths percent-decoded, so revalidatePath reaches the entry whichever spelling of the path it is given (lower-case escapes, %20 or a space, %3A or a colon); Next compares the spelling, so whether it reaches an entry depends on how the request that filled the entry spelt its URL — approute invalidates in more cases, never fewer";

/**
 * Where approute deliberately differs, by scenario name: approute's `x-nextjs-cache` values instead
 * of Next's, and why.
 */
const DELIBERATE: Record<string, { ours: string; reason: string }> = {
  "revalidateTag with an unknown profile name (R107)": {
    ours: "HIT HIT",
    reason:
      "Next answers the POST with 200 and throws the unknown-profile error only after the response, so the caller never learns the invalidation did not happen; approute throws at the call (the POST answers 500), and invalidates nothing either",
  },
  "the 129th tag of one call (R113)": {
    ours: "HIT",
    reason:
      "Next's limit check runs after adding a tag, so it keeps 129 tags while warning that the 129th was dropped; approute keeps 128 and drops what the warning names (R113)",
  },
  "revalidatePath with lower-case escapes (R110, R113)": { ours: "MISS", reason: DECODED_PATHS },
  "legacy: revalidatePath with a space for %20 (R110)": { ours: "MISS MISS", reason: DECODED_PATHS },
};

/** A GET (`settle`: repeat while STALE, record the last answer) or a POST /purge?… */
type Step = { get: string; settle?: true } | { post: string };

const LONG_TAG = "x".repeat(300);

/**
 * Scenarios: name, the `x-nextjs-cache` values next start answers the GETs with (checked, so a
 * change in Next shows up as such), and the steps. Each starts from fresh (HIT) entries.
 */
const SCENARIOS: Array<[name: string, nextStates: string, steps: Step[]]> = [
  [
    "prerendered use-cache route is a HIT (R74, R75, R101)",
    "HIT HIT",
    [{ get: "/data/tagged" }, { get: "/data/tagged" }],
  ],
  [
    'revalidateTag(tag, "max"): stale once, then regenerated (R107, R76)',
    "STALE HIT HIT",
    [
      { post: "op=tag-max&arg=a" },
      { get: "/data/tagged" },
      { get: "/data/tagged", settle: true },
      { get: "/data/tagged" },
    ],
  ],
  [
    'revalidateTag(tag, "hours"): stale once, then regenerated (R107)',
    "STALE HIT",
    [{ post: "op=tag-hours&arg=a" }, { get: "/data/tagged" }, { get: "/data/tagged", settle: true }],
  ],
  [
    "revalidateTag(tag, { expire: 0 }): a blocking MISS (R107)",
    "MISS HIT",
    [{ post: "op=tag-expire0&arg=a" }, { get: "/data/tagged" }, { get: "/data/tagged" }],
  ],
  [
    "revalidateTag(tag) without a profile expires at once (R107, deprecated form)",
    "MISS HIT",
    [{ post: "op=tag-none&arg=a" }, { get: "/data/tagged" }, { get: "/data/tagged" }],
  ],
  [
    "updateTag in a route handler throws and invalidates nothing (R108)",
    "HIT",
    [{ post: "op=update&arg=a" }, { get: "/data/tagged" }],
  ],
  [
    "a tag nobody uses changes nothing (R107)",
    "HIT",
    [{ post: "op=tag-expire0&arg=nobody" }, { get: "/data/tagged" }],
  ],
  [
    "revalidatePath(path) hits the pathname tag (R94, R110)",
    "MISS HIT",
    [{ post: "op=path&arg=/data/tagged" }, { get: "/data/tagged" }, { get: "/data/tagged" }],
  ],
  [
    "revalidatePath(path/) ignores the trailing slash (R110)",
    "MISS HIT",
    [{ post: "op=path&arg=/data/tagged/" }, { get: "/data/tagged" }, { get: "/data/tagged" }],
  ],
  [
    'revalidatePath(path, "page") does not reach a route handler (R94, R110)',
    "HIT",
    [{ post: "op=path&arg=/data/tagged&type=page" }, { get: "/data/tagged" }],
  ],
  [
    'revalidatePath(path, "layout") hits the layout tag (R94, R110)',
    "MISS HIT",
    [{ post: "op=path&arg=/data/tagged&type=layout" }, { get: "/data/tagged" }, { get: "/data/tagged" }],
  ],
  [
    'revalidatePath(parent, "layout") hits every route below it (R94, R110)',
    "HIT MISS MISS",
    [
      { get: "/data/other" },
      { post: "op=path&arg=/data&type=layout" },
      { get: "/data/tagged" },
      { get: "/data/other" },
    ],
  ],
  [
    'revalidatePath(parent, "layout") also reached a route no request had filled yet (R94, R110)',
    "MISS HIT",
    [{ get: "/data/undef" }, { get: "/data/undef" }],
  ],
  [
    "revalidatePath of a dynamic pattern without a type has no effect (R110)",
    "HIT HIT",
    [{ get: "/items/1" }, { post: "op=path&arg=/items/[id]" }, { get: "/items/1" }],
  ],
  [
    'revalidatePath(pattern, "page") does not reach a route handler (R110)',
    "HIT",
    [{ post: "op=path&arg=/items/[id]&type=page" }, { get: "/items/1" }],
  ],
  [
    'revalidatePath(pattern, "layout") hits every entry of the route (R94, R110)',
    "HIT MISS MISS HIT",
    [
      { get: "/items/2" },
      { post: "op=path&arg=/items/[id]&type=layout" },
      { get: "/items/1" },
      { get: "/items/2" },
      { get: "/items/2" },
    ],
  ],
  [
    "revalidatePath of one concrete dynamic path hits only that entry (R94, R110)",
    "HIT MISS HIT",
    [{ post: "op=path&arg=/items/2" }, { get: "/items/1" }, { get: "/items/2" }, { get: "/items/2" }],
  ],
  [
    "a dynamic path outside generateStaticParams is cached on first request (R82)",
    "MISS HIT",
    [{ get: "/items/3" }, { get: "/items/3" }],
  ],
  [
    "an inner use-cache tag invalidates the outer entry and the route (R102, R106)",
    "MISS MISS HIT",
    [
      { get: "/data/nested" },
      { post: "op=tag-expire0&arg=inner" },
      { get: "/data/nested" },
      { get: "/data/nested" },
    ],
  ],
  [
    'an inner tag with "max": stale, then both functions re-ran (R102, R106, R107)',
    "STALE HIT",
    [{ post: "op=tag-max&arg=inner" }, { get: "/data/nested" }, { get: "/data/nested", settle: true }],
  ],
  [
    "the outer tag of nested caches (R106)",
    "MISS HIT",
    [{ post: "op=tag-expire0&arg=outer" }, { get: "/data/nested" }, { get: "/data/nested" }],
  ],
  [
    "each tag of cacheTag(a, b) invalidates (R106)",
    "MISS MISS MISS HIT",
    [
      { get: "/data/multi" },
      { post: "op=tag-expire0&arg=b" },
      { get: "/data/multi" },
      { post: "op=tag-expire0&arg=c" },
      { get: "/data/multi" },
      { get: "/data/multi" },
    ],
  ],
  [
    "a tag over 256 characters is dropped, the valid one next to it kept (R113)",
    "MISS HIT MISS HIT",
    [
      { get: "/data/long" },
      { post: `op=tag-expire0&arg=${LONG_TAG}` },
      { get: "/data/long" },
      { post: "op=tag-expire0&arg=long-ok" },
      { get: "/data/long" },
      { get: "/data/long" },
    ],
  ],
  [
    "tags past the 128th are dropped (R113)",
    "MISS MISS HIT",
    [
      { get: "/data/many" },
      { post: "op=tag-expire0&arg=m5" },
      { get: "/data/many" },
      { post: "op=tag-expire0&arg=m129" },
      { get: "/data/many" },
    ],
  ],
  [
    "the 128-tag limit is per cacheTag call, not per entry (R113)",
    "MISS MISS HIT",
    [
      { get: "/data/loop" },
      { post: "op=tag-expire0&arg=s129" },
      { get: "/data/loop" },
      { get: "/data/loop" },
    ],
  ],
  [
    "a tag that is not a string is ignored with a warning, not an error (R113)",
    "MISS MISS HIT",
    [
      { get: "/data/bad-tag" },
      { post: "op=tag-expire0&arg=good" },
      { get: "/data/bad-tag" },
      { get: "/data/bad-tag" },
    ],
  ],
  ["the 129th tag of one call (R113)", "MISS", [{ post: "op=tag-expire0&arg=m128" }, { get: "/data/many" }]],
  [
    "revalidateTag with an unknown profile name (R107)",
    "HIT HIT",
    [
      { post: "op=tag-profile&arg=a&profile=%22nope%22" },
      { get: "/data/tagged" },
      { get: "/data/tagged", settle: true },
    ],
  ],
  [
    "revalidateTag(tag, {}) (R107)",
    "STALE HIT",
    [
      { post: "op=tag-profile&arg=a&profile=%7B%7D" },
      { get: "/data/tagged" },
      { get: "/data/tagged", settle: true },
    ],
  ],
  [
    "revalidateTag(tag, { expire: false }) is rejected (R102, R107)",
    "HIT HIT",
    [
      { post: "op=tag-profile&arg=a&profile=%7B%22expire%22%3Afalse%7D" },
      { get: "/data/tagged" },
      { get: "/data/tagged", settle: true },
    ],
  ],
  [
    'revalidateTag(tag, { expire: "1" }) is rejected (R107)',
    "HIT HIT",
    [
      { post: "op=tag-profile&arg=a&profile=%7B%22expire%22%3A%221%22%7D" },
      { get: "/data/tagged" },
      { get: "/data/tagged", settle: true },
    ],
  ],
  [
    "revalidateTag(tag, { revalidate: 10, expire: 5 }) is rejected (R102, R107)",
    "HIT HIT",
    [
      { post: "op=tag-profile&arg=a&profile=%7B%22revalidate%22%3A10%2C%22expire%22%3A5%7D" },
      { get: "/data/tagged" },
      { get: "/data/tagged", settle: true },
    ],
  ],
  [
    "revalidateTag(tag, { expire: 60 }) is stale-while-revalidate (R107)",
    "STALE HIT",
    [
      { post: "op=tag-profile&arg=a&profile=%7B%22expire%22%3A60%7D" },
      { get: "/data/tagged" },
      { get: "/data/tagged", settle: true },
    ],
  ],
  [
    "an invalidation leaves other routes alone (R107)",
    "HIT MISS HIT",
    [
      { post: "op=tag-expire0&arg=o" },
      { get: "/data/tagged" },
      { get: "/data/other" },
      { get: "/data/other" },
    ],
  ],
  [
    "a non-ASCII tag revalidated with the same string (R106, R113)",
    // The first MISS: revalidatePath("/data", "layout") above reached this route too.
    "MISS MISS HIT",
    [
      { get: "/data/cafe" },
      { post: "op=tag-expire0&arg=caf%C3%A9" },
      { get: "/data/cafe" },
      { get: "/data/cafe" },
    ],
  ],
  [
    "a non-ASCII tag revalidated in percent-encoded form (R113)",
    "MISS HIT",
    [{ post: "op=tag-expire0&arg=caf%25C3%25A9" }, { get: "/data/cafe" }, { get: "/data/cafe" }],
  ],
  [
    'a non-ASCII tag with "max" (R107, R113)',
    "STALE HIT",
    [{ post: "op=tag-max&arg=caf%C3%A9" }, { get: "/data/cafe" }, { get: "/data/cafe", settle: true }],
  ],
  [
    "revalidatePath of a non-ASCII path, as written and percent-encoded (R94, R110, R113)",
    "MISS HIT MISS MISS HIT",
    [
      { get: "/items/%C3%A9" },
      { get: "/items/%C3%A9" },
      { post: "op=path&arg=/items/%C3%A9" },
      { get: "/items/%C3%A9" },
      { post: "op=path&arg=/items/%25C3%25A9" },
      { get: "/items/%C3%A9" },
      { get: "/items/%C3%A9" },
    ],
  ],
  [
    "a use-cache tag made from a non-ASCII param (R106, R113)",
    "MISS HIT",
    [{ post: "op=tag-expire0&arg=item-%C3%A9" }, { get: "/items/%C3%A9" }, { get: "/items/%C3%A9" }],
  ],
  [
    "revalidatePath with lower-case escapes (R110, R113)",
    "HIT",
    [{ post: "op=path&arg=/items/%25c3%25a9" }, { get: "/items/%C3%A9" }],
  ],
  [
    "revalidateTag(tag, 5): a number expires at once (R107)",
    "MISS HIT",
    [{ post: "op=tag-profile&arg=a&profile=5" }, { get: "/data/tagged" }, { get: "/data/tagged" }],
  ],
  [
    "revalidateTag(tag, null) counts as no profile (R107)",
    "MISS HIT",
    [{ post: "op=tag-profile&arg=a&profile=null" }, { get: "/data/tagged" }, { get: "/data/tagged" }],
  ],
  [
    'revalidateTag(tag, "") counts as no profile (R107)',
    "MISS",
    [{ post: "op=tag-profile&arg=a&profile=%22%22" }, { get: "/data/tagged" }],
  ],
  ['revalidateTag("") (R107)', "HIT", [{ post: "op=tag-expire0&arg=" }, { get: "/data/tagged" }]],
  // Missing and empty arguments (R107, R110): what the call answers and what it reaches.
  [
    'revalidateTag("") without a profile (R107)',
    "HIT HIT",
    [{ post: "op=tag-none&arg=" }, { get: "/data/tagged" }, { get: "/data/undef" }],
  ],
  [
    "revalidateTag(undefined) (R107)",
    "HIT HIT",
    [{ post: "op=tag-none&undef" }, { get: "/data/tagged" }, { get: "/data/undef" }],
  ],
  [
    'revalidateTag(undefined, "max") (R107)',
    "HIT HIT",
    [{ post: "op=tag-max&undef" }, { get: "/data/tagged" }, { get: "/data/undef" }],
  ],
  [
    "revalidatePath(undefined) (R110)",
    "HIT HIT",
    [{ post: "op=path&undef" }, { get: "/data/tagged" }, { get: "/data/undef" }],
  ],
  ['revalidatePath("") (R110)', "HIT", [{ post: "op=path&arg=" }, { get: "/data/tagged" }]],
  [
    "revalidateTag(tag, true) expires at once (R107)",
    "MISS",
    [{ post: "op=tag-profile&arg=a&profile=true" }, { get: "/data/tagged" }],
  ],
];

/** The same, for route handlers without cacheComponents (names start with "legacy: "). */
const LEGACY_SCENARIOS: Array<[name: string, nextStates: string, steps: Step[]]> = [
  [
    "legacy: force-static and revalidate = N routes are prerendered (R73–R75)",
    "HIT HIT HIT HIT",
    [{ get: "/static" }, { get: "/static" }, { get: "/isr" }, { get: "/tagged" }],
  ],
  [
    "legacy: revalidatePath on a force-static route (R84, R110)",
    "MISS HIT",
    [{ post: "op=path&arg=/static" }, { get: "/static" }, { get: "/static" }],
  ],
  [
    'legacy: revalidateTag(path tag, "max") on a force-static route (R94, R107)',
    "STALE HIT HIT",
    [
      { post: "op=tag-max&arg=_N_T_/static" },
      { get: "/static" },
      { get: "/static", settle: true },
      { get: "/static" },
    ],
  ],
  [
    "legacy: revalidateTag(path tag, { expire: 0 }) on a force-static route (R94, R107)",
    "MISS HIT",
    [{ post: "op=tag-expire0&arg=_N_T_/static" }, { get: "/static" }, { get: "/static" }],
  ],
  [
    "legacy: revalidatePath on a revalidate = N route (R84, R110)",
    "MISS HIT",
    [{ post: "op=path&arg=/isr" }, { get: "/isr" }, { get: "/isr" }],
  ],
  [
    'legacy: revalidateTag(path tag, "max") on a revalidate = N route (R76, R107)',
    "STALE HIT",
    [{ post: "op=tag-max&arg=_N_T_/isr" }, { get: "/isr" }, { get: "/isr", settle: true }],
  ],
  [
    "legacy: revalidateTag(path tag, { expire: 0 }) on a revalidate = N route (R107)",
    "MISS HIT",
    [{ post: "op=tag-expire0&arg=_N_T_/isr" }, { get: "/isr" }, { get: "/isr" }],
  ],
  [
    "legacy: revalidateTag(path tag, 5) expires at once (R107)",
    "MISS HIT",
    [{ post: "op=tag-profile&arg=_N_T_/isr&profile=5" }, { get: "/isr" }, { get: "/isr" }],
  ],
  [
    "legacy: revalidateTag(path tag) without a profile (R107)",
    "MISS HIT",
    [{ post: "op=tag-none&arg=_N_T_/isr" }, { get: "/isr" }, { get: "/isr" }],
  ],
  [
    'legacy: an unstable_cache tag with "max" (R107, R114)',
    "STALE HIT",
    [{ post: "op=tag-max&arg=u" }, { get: "/tagged" }, { get: "/tagged", settle: true }],
  ],
  [
    "legacy: an unstable_cache tag with { expire: 0 } (R107, R114)",
    "MISS HIT",
    [{ post: "op=tag-expire0&arg=u" }, { get: "/tagged" }, { get: "/tagged" }],
  ],
  [
    "legacy: revalidatePath of a route using unstable_cache (R110, R114)",
    "MISS HIT",
    [{ post: "op=path&arg=/tagged" }, { get: "/tagged" }, { get: "/tagged" }],
  ],
  [
    "legacy: a non-ASCII unstable_cache tag, as written and percent-encoded (R113, R114)",
    "HIT MISS MISS HIT",
    [
      { get: "/cafe" },
      { post: "op=tag-expire0&arg=%C3%BC" },
      { get: "/cafe" },
      { post: "op=tag-expire0&arg=%25C3%25BC" },
      { get: "/cafe" },
      { get: "/cafe" },
    ],
  ],
  [
    'legacy: revalidatePath("/", "layout") reaches every route (R94, R110)',
    "MISS MISS MISS HIT",
    [
      { post: "op=path&arg=/&type=layout" },
      { get: "/static" },
      { get: "/isr" },
      { get: "/items/1" },
      { get: "/items/1" },
    ],
  ],
  [
    'legacy: revalidatePath("/", "layout") also reached routes no scenario asked for since (R94, R110)',
    "MISS MISS HIT HIT",
    [{ get: "/tagged" }, { get: "/undef" }, { get: "/tagged" }, { get: "/undef" }],
  ],
  [
    'legacy: revalidatePath(pattern, "layout") reaches every entry of the route (R94, R110)',
    "MISS MISS HIT",
    [
      { post: "op=path&arg=/items/[id]&type=layout" },
      { get: "/items/1" },
      { get: "/items/2" },
      { get: "/isr" },
    ],
  ],
  [
    "legacy: revalidatePath of a non-ASCII path, as written and percent-encoded (R94, R110, R113)",
    "MISS HIT MISS MISS",
    [
      { get: "/items/%C3%A9" },
      { get: "/items/%C3%A9" },
      { post: "op=path&arg=/items/%C3%A9" },
      { get: "/items/%C3%A9" },
      { post: "op=path&arg=/items/%25C3%25A9" },
      { get: "/items/%C3%A9" },
    ],
  ],
  [
    'legacy: revalidatePath("/") and revalidatePath("/index") reach the root route (R94, R110)',
    // The first MISS: revalidatePath("/", "layout") above reached this route too.
    "MISS MISS HIT MISS HIT",
    [
      { get: "/" },
      { post: "op=path&arg=/" },
      { get: "/" },
      { get: "/" },
      { post: "op=path&arg=/index" },
      { get: "/" },
      { get: "/" },
    ],
  ],
  ['legacy: revalidatePath("") reaches nothing (R110)', "HIT", [{ post: "op=path&arg=" }, { get: "/" }]],
  [
    "legacy: revalidatePath(undefined) (R110)",
    "HIT HIT",
    [{ post: "op=path&undef" }, { get: "/" }, { get: "/undef" }],
  ],
  [
    "legacy: revalidateTag(undefined) (R107)",
    "HIT HIT HIT",
    [{ post: "op=tag-none&undef" }, { get: "/" }, { get: "/tagged" }, { get: "/undef" }],
  ],
  [
    'legacy: revalidateTag("") without a profile (R107)',
    "HIT HIT",
    [{ post: "op=tag-none&arg=" }, { get: "/tagged" }, { get: "/undef" }],
  ],
  [
    "legacy: revalidatePath with a space for %20 (R110)",
    "MISS HIT",
    [{ get: "/items/x%20y" }, { post: "op=path&arg=/items/x%20y" }, { get: "/items/x%20y" }],
  ],
];

interface Observation {
  step: string;
  status: number;
  body?: string;
  cache?: string | null;
  cacheControl?: string | null;
  changed?: boolean;
}

async function runScenario(
  origin: string,
  steps: Step[],
  bodies: Map<string, string>,
): Promise<Observation[]> {
  const trace: Observation[] = [];
  for (const step of steps) {
    if ("post" in step) {
      const response = await fetch(`${origin}/purge?${step.post}`, { method: "POST" });
      // The body says whether the call threw ({"threw":true}) or returned ({"ok":true}).
      trace.push({
        step: `POST ${step.post.slice(0, 60)}`,
        status: response.status,
        body: await response.text(),
      });
      continue;
    }
    let response: Response;
    let body: string;
    let tries = 0;
    do {
      response = await fetch(origin + step.get);
      body = await response.text();
    } while (step.settle === true && response.headers.get("x-nextjs-cache") === "STALE" && ++tries < 200);
    const before = bodies.get(step.get);
    bodies.set(step.get, body);
    trace.push({
      step: `GET ${step.get}${step.settle ? " (settled)" : ""}`,
      status: response.status,
      cache: response.headers.get("x-nextjs-cache"),
      cacheControl: response.headers.get("cache-control"),
      changed: before === undefined ? undefined : before !== body,
    });
  }
  return trace;
}

function differential(title: string, fixture: string, scenarios: typeof SCENARIOS): void {
  describe(title, { timeout: 600_000 }, () => {
    let next: NextServer;
    let approute: FixtureServer;
    const theirBodies = new Map<string, string>();
    const ourBodies = new Map<string, string>();

    before(async () => {
      next = await startNext(fixture);
      approute = await startFixture("revalidation-diff", { root: next.dir });
    });

    after(async () => {
      await approute?.close();
      next?.close();
    });

    for (const [name, nextStates, steps] of scenarios) {
      test(name, async () => {
        const theirs = await runScenario(next.url, steps, theirBodies);
        const ours = await runScenario(approute.url, steps, ourBodies);
        const states = theirs.filter((o) => o.cache !== undefined).map((o) => o.cache);
        assert.equal(states.join(" "), nextStates, "next start's behaviour changed");
        const deliberate = DELIBERATE[name];
        if (deliberate !== undefined) {
          const ourStates = ours.filter((o) => o.cache !== undefined).map((o) => o.cache);
          assert.notDeepEqual(ours, theirs, `no longer a difference: ${deliberate.reason}`);
          assert.equal(ourStates.join(" "), deliberate.ours, deliberate.reason);
          return;
        }
        assert.deepEqual(ours, theirs);
      });
    }
  });
}

differential("differential: on-demand revalidation, approute vs next start", FIXTURE, SCENARIOS);
differential(
  "differential: on-demand revalidation without cacheComponents, approute vs next start",
  LEGACY_FIXTURE,
  LEGACY_SCENARIOS,
);
