// Cached GETs (R73–R75) are served byte for byte as the handler answered at build, whatever the body
// holds: approute keeps small typed UTF-8 bodies as strings for the Node writer (#6), and must not
// change bytes that are not UTF-8, a byte-order mark, a body without a content type or a large one.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";
import { rawRequest, simple } from "../helpers/raw.ts";

const route = (body: string, init = "{}") => `export const dynamic = "force-static";
export function GET() {
  return new Response(${body}, ${init});
}
`;

const CASES: Record<string, { source: string; bytes: number[] | string; type: string | null }> = {
  json: {
    source: route(
      `JSON.stringify({ café: "☕", n: 1 })`,
      `{ headers: { "content-type": "application/json" } }`,
    ),
    bytes: JSON.stringify({ café: "☕", n: 1 }),
    type: "application/json",
  },
  "not-utf8": {
    source: route(
      "new Uint8Array([0xff, 0xfe, 0x41, 0xc3, 0x28, 0x80])",
      `{ headers: { "content-type": "text/plain" } }`,
    ),
    bytes: [0xff, 0xfe, 0x41, 0xc3, 0x28, 0x80],
    type: "text/plain",
  },
  bom: {
    source: route(
      "new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69])",
      `{ headers: { "content-type": "text/plain" } }`,
    ),
    bytes: [0xef, 0xbb, 0xbf, 0x68, 0x69],
    type: "text/plain",
  },
  untyped: {
    source: route("new Uint8Array([0x68, 0x69])"),
    bytes: [0x68, 0x69],
    type: null,
  },
  large: {
    source: route(`"é".repeat(20000)`, `{ headers: { "content-type": "text/plain; charset=utf-8" } }`),
    bytes: "é".repeat(20000),
    type: "text/plain; charset=utf-8",
  },
};

const COUNTER = `
let n = 0;
export const revalidate = 3600;
export function GET() {
  n += 1;
  return Response.json({ render: n, pad: "x".repeat(n * 7) });
}
`;
const BUMP = `import { revalidatePath } from "next/cache";
export function POST() {
  revalidatePath("/counter");
  return new Response(null, { status: 204 });
}
`;

describe("cached bodies are sent as stored (R73, R75, #6)", () => {
  const project = tempProject({
    ...Object.fromEntries(Object.entries(CASES).map(([name, c]) => [`app/${name}/route.ts`, c.source])),
    "app/counter/route.ts": COUNTER,
    "app/bump/route.ts": BUMP,
  });
  let server: FixtureServer;
  before(async () => {
    server = await startFixture("cached-bodies", { root: project.root });
  });
  after(async () => {
    await server?.close();
    project.dispose();
  });

  for (const [name, c] of Object.entries(CASES)) {
    test(`${name}: same bytes, length and type on every hit`, async () => {
      const expected = typeof c.bytes === "string" ? Buffer.from(c.bytes) : Buffer.from(c.bytes);
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${server.url}/${name}`, { headers: { "accept-encoding": "identity" } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-nextjs-cache"), "HIT");
        assert.equal(res.headers.get("content-type"), c.type);
        assert.equal(res.headers.get("content-length"), String(expected.byteLength));
        assert.deepEqual(Buffer.from(await res.arrayBuffer()), expected);
      }
    });
  }

  test("a large cached body is gzipped for a client that accepts it, the same bytes every hit", async () => {
    const get = () =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const req = request(`${server.url}/large`, { headers: { "accept-encoding": "gzip" } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end();
      });
    const answers = await Promise.all([get(), get(), get()]);
    answers.push(await get());
    for (const { headers, body } of answers) {
      assert.equal(headers["content-encoding"], "gzip");
      assert.equal(headers["content-length"], String(body.byteLength));
      assert.equal(gunzipSync(body).toString(), CASES.large!.bytes);
    }
    assert.ok(answers.every(({ body }) => body.equals(answers[0]!.body)));
  });

  test("HEAD of a cached text body: the GET's headers, no body", async () => {
    const res = await fetch(`${server.url}/json`, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(CASES.json!.bytes as string)));
    assert.equal(await res.text(), "");
  });

  // The Node writer keeps the header list it sent for an entry's small text body and reuses it on
  // later hits (#6): every hit must still carry exactly that entry's headers, whatever came first.
  test("repeated hits send the same header block; HEAD first does not change the GET after it", async () => {
    const block = (raw: string) =>
      raw
        .slice(0, raw.indexOf("\r\n\r\n"))
        .split("\r\n")
        .filter((line) => !/^date:/i.test(line));
    const head = await rawRequest(server.url, simple("HEAD", "/json"), { head: true });
    const first = await rawRequest(server.url, simple("GET", "/json"));
    const second = await rawRequest(server.url, simple("GET", "/json", "Accept-Encoding: gzip\r\n"));
    assert.deepEqual(block(head.raw), block(first.raw));
    assert.deepEqual(block(second.raw), block(first.raw));
    assert.equal(first.body, CASES.json!.bytes);
    assert.equal(second.body, CASES.json!.bytes);
    assert.ok(block(first.raw).includes("vary: Accept-Encoding"), block(first.raw).join("\n"));
  });

  test("after revalidatePath the new entry's length and body are sent, not the old ones (R92)", async () => {
    const read = async () => {
      const res = await rawRequest(server.url, simple("GET", "/counter"));
      assert.equal(res.status, 200);
      assert.equal(res.headers["content-length"]?.[0], String(Buffer.byteLength(res.body)));
      return JSON.parse(res.body) as { render: number };
    };
    const before = await read();
    assert.equal((await read()).render, before.render);
    assert.equal((await fetch(`${server.url}/bump`, { method: "POST" })).status, 204);
    // The first request after the invalidation may still be answered from the stale entry while
    // the new one renders; requests after it get the new one.
    let now = await read();
    for (let i = 0; i < 50 && now.render === before.render; i++) now = await read();
    assert.ok(now.render > before.render, `still render ${now.render}`);
    assert.equal((await read()).render, now.render);
  });
});
