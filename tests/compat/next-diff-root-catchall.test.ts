// Differential check of a root-level optional catch-all (`app/[[...slug]]/route.js`, R2, R5, R11,
// R16) against real Next.js 16: the same requests go to `next start` and to approute, and status,
// content type and the JSON the handler echoes (params, whether `slug` is present, pathname) must
// agree. As for the nested optional catch-all in next-diff.test.ts, next start drops `index` when it
// is the only segment (`/index`, `/%69ndex` give `{}`, as `/` does) and approute delivers it: the
// deliberate difference in the README's table, checked here on both sides.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type NextServer, startNext } from "../helpers/next.ts";
import { rawRequest } from "../helpers/raw.ts";

const FIXTURE = fileURLToPath(new URL("./root-opt-app/", import.meta.url));

interface Case {
  name: string;
  method?: string;
  path: string;
  /** The deliberate difference: each side's body. */
  bodyDiffers?: { next: string; approute: string };
}

const INDEX_DROPPED = {
  next: '{"params":{},"hasSlug":false,"pathname":"/index"}',
  approute: '{"params":{"slug":["index"]},"hasSlug":true,"pathname":"/index"}',
};

const cases: Case[] = [
  { name: "R2/R5 / gets no slug", path: "/" },
  { name: "R5 HEAD /", method: "HEAD", path: "/" },
  { name: "R5 /index as the only segment", path: "/index", bodyDiffers: INDEX_DROPPED },
  { name: "R5 /index with a query", path: "/index?q=1", bodyDiffers: INDEX_DROPPED },
  { name: "R5 POST /index", method: "POST", path: "/index", bodyDiffers: INDEX_DROPPED },
  { name: "R5 HEAD /index", method: "HEAD", path: "/index" },
  { name: "R5 OPTIONS /index", method: "OPTIONS", path: "/index" },
  {
    name: "R5/R14 /%69ndex as the only segment",
    path: "/%69ndex",
    bodyDiffers: {
      next: '{"params":{},"hasSlug":false,"pathname":"/%69ndex"}',
      approute: '{"params":{"slug":["index"]},"hasSlug":true,"pathname":"/%69ndex"}',
    },
  },
  { name: "R5/R16 /index/x keeps index", path: "/index/x" },
  { name: "R5/R16 /%69ndex/x keeps index", path: "/%69ndex/x" },
  { name: "R5/R16 /index/index", path: "/index/index" },
  { name: "R5/R16 index as the last segment", path: "/a/index" },
  { name: "R5 INDEX is an ordinary segment", path: "/INDEX" },
  { name: "R5 index.json is an ordinary segment", path: "/index.json" },
  { name: "R5 one ordinary segment", path: "/x" },
  { name: "R11 /index/ redirects before routing", path: "/index/" },
  { name: "R11 /index/x/ redirects before routing", path: "/index/x/?a=1" },
];

describe("differential: a root optional catch-all, approute vs next start", { timeout: 600_000 }, () => {
  let next: NextServer;
  let approute: FixtureServer;

  before(async () => {
    next = await startNext(FIXTURE);
    approute = await startFixture("root-opt", { root: next.dir });
  });

  after(async () => {
    next?.close();
    await approute?.close();
  });

  for (const c of cases) {
    test(c.name, async () => {
      const request = `${c.method ?? "GET"} ${c.path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n${
        c.method === "POST" ? "content-length: 0\r\n" : ""
      }\r\n`;
      const head = c.method === "HEAD";
      const [theirs, ours] = await Promise.all([
        rawRequest(next.url, request, { head }),
        rawRequest(approute.url, request, { head }),
      ]);
      const view = (res: typeof theirs) => ({
        status: res.status,
        type: res.headers["content-type"]?.[0] ?? null,
        location: res.headers.location?.[0] ?? null,
        allow: res.headers.allow?.[0] ?? null,
        body: res.body,
      });
      const a = view(theirs);
      const b = view(ours);
      if (c.bodyDiffers) {
        assert.equal(a.body, c.bodyDiffers.next, "next's body changed");
        assert.equal(b.body, c.bodyDiffers.approute, "approute's body (R5: the segment sent is delivered)");
        b.body = a.body;
      }
      assert.deepEqual(b, a);
    });
  }
});
