// The rule-engine differential fuzz (next-rules-fuzz.test.ts) on the same fixture with
// `basePath: "/base"` and `trailingSlash: true` (R146, R147, R12), plus `basePath: false` rules:
// paths inside and outside basePath, with and without the trailing slash, against next start 16.
import { renameSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type NextServer, startNext } from "../helpers/next.ts";
import { conditions, createDiffer, SEED, startEchoUpstream, targets } from "../helpers/rules-fuzz.ts";

const FIXTURE = fileURLToPath(new URL("./rules-app/", import.meta.url));

describe("differential fuzz of next.config rules with basePath and trailingSlash: approute vs next start", {
  timeout: 600_000,
}, () => {
  let next: NextServer;
  let approute: FixtureServer;
  let upstream: { close(): Promise<void> } | undefined;
  const { check, fixed, report } = createDiffer(() => ({ next, approute }));

  before(async () => {
    upstream = await startEchoUpstream();
    next = await startNext(
      FIXTURE,
      (dir) => {
        renameSync(join(dir, "next.config.mjs"), join(dir, "rules.mjs"));
        renameSync(join(dir, "next.config.basepath.mjs"), join(dir, "next.config.mjs"));
      },
      { host: "localhost" },
    );
    approute = await startFixture("rules-basepath", { root: next.dir });
  });

  after(async () => {
    next?.close();
    await approute?.close();
    await upstream?.close();
    report();
  });

  test("R146, R147, R126, R148–R150: fixed cases", () =>
    fixed([
      { target: "/base/pa/12/", headers: [] },
      { target: "/base/pa/12.json", headers: [] },
      { target: "/base/h/1/", headers: [] },
      { target: "/nobase/1/", headers: [] },
      { target: "/free/a/b/", headers: [] },
      { target: "/base/r/abs/1/", headers: [] },
      { target: "/base/r/old/1/?a=1", headers: [] },
      { target: "/base/bf/1/", headers: [] },
      { target: "/base/af/a/b/", headers: [] },
      { target: "/base/fb/a/", headers: [] },
      { target: "/base/items/5/?bf", headers: [] },
      // R146: rules meet a basePath spelled in another case; the proxy and routes do not.
      { target: "/BASE/r/old/1/", headers: [] },
      { target: "/BASE/fb/a/", headers: [] },
      { target: "/BASE/pa/12/", headers: [] },
      // R146/R148: outside basePath only basePath: false rules apply.
      { target: "/r/host/", headers: [["host", "foo.example.com"]] },
      // R129/R146: a proxy rewrite to a path outside basePath finds no route.
      { target: "/base/pd/rw/1/2/", headers: [] },
      { target: "/base/ext-np/5/?a=1", headers: [] },
      // R146, R148–R150: basePath: false rules, inside and outside basePath, with params, has
      // conditions, internal and external destinations.
      { target: "/nb-out/1/", headers: [] },
      { target: "/base/nb-out/1/", headers: [] },
      { target: "/nb-has/1/?to=abc", headers: [] },
      { target: "/nb-has/1/?to=ABC", headers: [] },
      { target: "/base/nb-has/1/?to=abc", headers: [] },
      { target: "/base/nb-in/a/b/", headers: [] },
      { target: "/base/nb-in/", headers: [] },
      { target: "/BASE/nb-in/a/", headers: [] },
      { target: "/base/nb-in/a/", headers: [["cookie", "sess=1"]] },
      { target: "/nb-ext/a/b/?q=1", headers: [] },
      { target: "/base/nb-ext/a/", headers: [] },
      { target: "/base/nb-ext2/7/", headers: [["x-v", "12"]] },
      { target: "/base/nb-ext2/7/", headers: [] },
      { target: "/nb-fb/3/?z=1", headers: [] },
      { target: "/base/nb-fb2/3/", headers: [] },
      { target: "/base/nb-fb2/3", headers: [] },
      { target: "/base/pa/1/", headers: [["x-tag", "abc"]] },
      { target: "/elsewhere/x/", headers: [["x-tag", "abc"]] },
      { target: "/base/r/abs/2", headers: [] },
      { target: "/nobase/a%2Fb/", headers: [] },
      // R146, R148–R150: non-ASCII sources and destinations under basePath; a repeated query key.
      { target: "/base/café/1/", headers: [] },
      { target: "/BASE/caf%C3%A9/1/", headers: [] },
      { target: "/base/r/uni/caf%C3%A9/", headers: [] },
      { target: "/base/ü/x/", headers: [] },
      { target: "/base/ñ/x/", headers: [] },
      { target: "/base/ext-uni/a%2Fb/", headers: [] },
      { target: "/base/r/qs/?to=a&to=b", headers: [] },
      { target: "/base/hqs/?to=a&to=b", headers: [] },
      { target: "/base/r/qm/?to=&to=", headers: [] },
    ]));

  const target = targets({ slash: 0.6, mount: "/base" });

  test(`R146, R147, R148–R150, R126: paths and queries (seed ${SEED})`, () =>
    check(
      "path",
      target.map((t) => ({ target: t, headers: [] })),
      250,
    ));

  test(`R146, R147, R148–R150, R126: with conditions (seed ${SEED})`, () =>
    check(
      "conditions",
      fc.tuple(target, conditions).map(([t, headers]) => ({ target: t, headers })),
      250,
    ));
});
