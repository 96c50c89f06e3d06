// Routing and dispatch over HTTP (spec §1, §2): every segment kind, priority, canonical redirects,
// 405 + Allow, automatic OPTIONS and HEAD, encoded params, groups and private folders. Each case runs
// twice: over a real socket and through the in-process fetch entry, which must answer the same.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { rawRequest, simple } from "../helpers/raw.ts";

interface Case {
  name: string;
  method?: string;
  path: string;
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string | null>;
  /** Only over raw HTTP (fetch would normalise the request). */
  httpOnly?: boolean;
}

const cases: Case[] = [
  { name: "R2 root route", path: "/", status: 200, text: "root" },
  {
    name: "R1 static route",
    path: "/api/hello",
    status: 200,
    json: { hello: "world", method: "GET" },
    headers: { "x-custom": "1", "content-type": "application/json" },
  },
  { name: "R2 parent folder without route", path: "/api", status: 404, text: "" },
  { name: "unknown path", path: "/nope", status: 404, text: "" },
  {
    name: "R3 dynamic segment",
    path: "/api/items/42",
    status: 200,
    json: { params: { id: "42" }, pathname: "/api/items/42", url: "$origin/api/items/42" },
  },
  {
    name: "R14 %2F decodes into one param",
    path: "/api/items/a%2Fb",
    status: 200,
    json: { params: { id: "a/b" }, pathname: "/api/items/a%2Fb", url: "$origin/api/items/a%2Fb" },
  },
  {
    name: "R14 utf-8 param",
    path: "/api/items/caf%C3%A9",
    status: 200,
    json: { params: { id: "café" }, pathname: "/api/items/caf%C3%A9", url: "$origin/api/items/caf%C3%A9" },
  },
  {
    name: "double encoding decodes once",
    path: "/api/items/a%252Fb",
    status: 200,
    json: { params: { id: "a%2Fb" }, pathname: "/api/items/a%252Fb", url: "$origin/api/items/a%252Fb" },
  },
  { name: "R15 malformed escape → 400", path: "/api/items/%E0%A4%A", status: 400 },
  { name: "R15 %ZZ → 400", path: "/api/items/%ZZ", status: 400 },
  { name: "R4 catch-all", path: "/api/docs/a/b/c", status: 200, json: { params: { slug: ["a", "b", "c"] } } },
  { name: "R4 catch-all needs one segment", path: "/api/docs", status: 404 },
  {
    name: "R16 catch-all decodes per element",
    path: "/api/docs/a%20b/c",
    status: 200,
    json: { params: { slug: ["a b", "c"] } },
  },
  {
    name: "R16 catch-all keeps %2F inside an element",
    path: "/api/docs/a%2Fb/c",
    status: 200,
    json: { params: { slug: ["a/b", "c"] } },
  },
  {
    name: "R5 optional catch-all empty leaves key out",
    path: "/api/opt",
    status: 200,
    json: { params: {}, hasSlug: false },
  },
  {
    name: "R5 optional catch-all with segments",
    path: "/api/opt/x/y",
    status: 200,
    json: { params: { slug: ["x", "y"] }, hasSlug: true },
  },
  { name: "R8 static beats dynamic", path: "/api/p/new", status: 200, json: { route: "static" } },
  {
    name: "R8 dynamic beats catch-all",
    path: "/api/p/other",
    status: 200,
    json: { route: "dynamic", id: "other" },
  },
  {
    name: "R8 catch-all for deeper paths",
    path: "/api/p/a/b",
    status: 200,
    json: { route: "catchAll", rest: ["a", "b"] },
  },
  { name: "R8 /users/me static over [id]", path: "/api/users/me", status: 200, json: { user: "me" } },
  { name: "R8 /users/[id]", path: "/api/users/you", status: 200, json: { user: "you" } },
  { name: "R36 several dynamic segments", path: "/shop/1/2", status: 200, json: { tag: "1", item: "2" } },
  { name: "R6 route group not in URL", path: "/grp", status: 200, json: { route: "group" } },
  { name: "R6 group name not routable", path: "/(group)/grp", status: 404, httpOnly: true },
  { name: "R7 private folder never routed", path: "/_private/x", status: 404 },
  {
    name: "R7 %5F escape gives a literal underscore",
    path: "/_under",
    status: 200,
    json: { route: "underscore" },
  },
  {
    name: "R11 trailing slash → 308",
    path: "/api/hello/?q=1",
    status: 308,
    text: "/api/hello?q=1",
    headers: { location: "/api/hello?q=1", refresh: "0;url=/api/hello?q=1" },
  },
  {
    name: "R13 double slash → 308",
    path: "/api//hello",
    status: 308,
    headers: { location: "/api/hello" },
    httpOnly: true,
  },
  {
    name: "R13 backslash → 308, never //host (one hop: the trailing slash is the next redirect's)",
    path: "/\\evil.tld/",
    status: 308,
    headers: { location: "/evil.tld/" },
    httpOnly: true,
  },
  {
    name: "R13 leading // → 308 to a path",
    path: "//evil.tld/x",
    status: 308,
    headers: { location: "/evil.tld/x" },
    httpOnly: true,
  },
  {
    name: "R19+A1 unexported method → 405 with Allow",
    method: "POST",
    path: "/api/hello",
    status: 405,
    text: "",
    headers: { allow: "GET, HEAD, OPTIONS" },
  },
  {
    name: "R21 POST-only: HEAD → 405",
    method: "HEAD",
    path: "/api/methods",
    status: 405,
    headers: { allow: "OPTIONS, POST, PUT" },
  },
  {
    name: "R22 auto OPTIONS (GET only)",
    method: "OPTIONS",
    path: "/api/hello",
    status: 204,
    text: "",
    headers: { allow: "GET, HEAD, OPTIONS" },
  },
  {
    name: "R22 auto OPTIONS (POST/PUT)",
    method: "OPTIONS",
    path: "/api/methods",
    status: 204,
    headers: { allow: "OPTIONS, POST, PUT" },
  },
  {
    name: "R23 exported OPTIONS replaces the automatic one",
    method: "OPTIONS",
    path: "/api/custom-options",
    status: 200,
    headers: { "x-opt": "1", allow: null },
  },
  {
    name: "R20 HEAD runs GET without a body",
    method: "HEAD",
    path: "/api/hello",
    status: 200,
    text: "",
    headers: { "x-custom": "1", "content-type": "application/json" },
  },
  { name: "R18 unknown method token → 400", method: "PROPFIND", path: "/api/hello", status: 400, text: "" },
  {
    name: "R18 TRACE → 400, never echoed",
    method: "TRACE",
    path: "/api/hello",
    status: 400,
    text: "",
    httpOnly: true,
  },
  { name: "R17 lower-case export ignored", path: "/api/lower", status: 405 },
  { name: "R24 non-Response return → empty 500", path: "/api/bad-return", status: 500, text: "" },
  { name: "R24 undefined return → empty 500", path: "/api/null-return", status: 500, text: "" },
  {
    name: "R25 throw → empty 500, no details",
    path: "/api/throws",
    status: 500,
    text: "",
    headers: { "cache-control": null },
  },
  {
    name: "R31 NextResponse.next() in a handler → 500",
    path: "/api/rewrite-in-handler",
    status: 500,
    text: "",
  },
  {
    name: "R34/R35/R37 context shape and NextRequest",
    path: "/api/ctx",
    status: 200,
    json: {
      keys: ["params"],
      isPromise: true,
      params: {},
      syncId: null,
      isNextRequest: true,
      isRequest: true,
    },
  },
  {
    name: "R37 params is a plain Promise: no synchronous ctx.params.id",
    path: "/api/ctx/7",
    status: 200,
    json: { syncId: null, keys: [], plainPromise: true, id: "7" },
  },
  {
    name: "sync handler",
    path: "/api/sync",
    status: 200,
    text: "sync",
    headers: { "content-type": "text/plain" },
  },
  {
    name: "R63 no x-powered-by, no etag",
    path: "/api/hello",
    status: 200,
    headers: { "x-powered-by": null, etag: null },
  },
  {
    name: "A5 absolute-form target ignores the authority",
    path: "http://169.254.169.254/api/items/7",
    status: 200,
    json: { params: { id: "7" }, pathname: "/api/items/7", url: "$origin/api/items/7" },
    httpOnly: true,
  },
  { name: "asterisk-form target → 400", method: "OPTIONS", path: "*", status: 400, httpOnly: true },
];

function check(
  c: Case,
  status: number,
  headers: (name: string) => string | null,
  body: string,
  origin: string,
) {
  assert.equal(status, c.status, `${c.name}: status`);
  if (c.text !== undefined) assert.equal(body, c.text, `${c.name}: body`);
  if (c.json !== undefined) {
    const expected = JSON.parse(JSON.stringify(c.json).replaceAll("$origin", origin));
    assert.deepEqual(JSON.parse(body), expected, `${c.name}: json`);
  }
  for (const [name, value] of Object.entries(c.headers ?? {})) {
    assert.equal(headers(name), value, `${c.name}: header ${name}`);
  }
}

describe("routing and dispatch (R1–R36)", () => {
  let fx: FixtureServer;
  before(async () => {
    fx = await startFixture("routing");
  });
  after(() => fx.close());

  for (const c of cases) {
    test(`HTTP: ${c.name}`, async () => {
      const method = c.method ?? "GET";
      const res = await rawRequest(fx.url, simple(method, c.path), { head: method === "HEAD" });
      check(c, res.status, (n) => res.headers[n]?.join(", ") ?? null, res.body, fx.url);
    });
    if (c.httpOnly) continue;
    test(`fetch entry: ${c.name}`, async () => {
      const origin = "http://localhost:3000";
      const res = await fx.app.fetch(new Request(origin + c.path, { method: c.method ?? "GET" }));
      assert.ok(res instanceof Response);
      check(c, res.status, (n) => res.headers.get(n), await res.text(), origin);
    });
  }

  test("R24/R25: errors are logged with the route file, the server keeps serving", async () => {
    const res = await fetch(`${fx.url}/api/throws`);
    assert.equal(res.status, 500);
    const logged = fx.logs.find((l) => l.level === "error" && l.message.includes("app/api/throws/route.ts"));
    assert.ok(logged, "error logged with file");
    assert.match(String((logged.error as Error).message), /boom/);
    assert.equal((await fetch(`${fx.url}/api/hello`)).status, 200);
    const bad = fx.logs.find((l) =>
      l.message.includes("No response is returned from route handler 'app/api/bad-return/route.ts'"),
    );
    assert.ok(bad, "R24 message logged");
  });

  test("R32: a method token Node cannot parse gets 400", async () => {
    const res = await rawRequest(fx.url, simple("FOO", "/api/hello"));
    assert.equal(res.status, 400);
  });

  test("request bodies stream in: POST text and PUT bytes", async () => {
    const post = await fetch(`${fx.url}/api/echo`, {
      method: "POST",
      body: "hello body",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(await post.text(), "hello body");
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const put = await fetch(`${fx.url}/api/echo`, { method: "PUT", body: bytes });
    assert.deepEqual(new Uint8Array(await put.arrayBuffer()), bytes);
  });

  test("keep-alive: several requests on one connection", async () => {
    const requests = `GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\nGET /api/sync HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const { connect } = await import("node:net");
    const { port } = new URL(fx.url);
    const text = await new Promise<string>((resolve, reject) => {
      let data = "";
      const socket = connect(Number(port), "127.0.0.1", () => socket.write(requests));
      socket.setEncoding("utf8");
      socket.on("data", (d) => (data += d));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    assert.equal(text.match(/HTTP\/1\.1 200 OK/g)?.length, 2);
    assert.ok(text.includes('{"hello":"world","method":"GET"}'));
    assert.ok(/\r\n\r\n(4\r\n)?sync/.test(text), "second response body");
  });
});
