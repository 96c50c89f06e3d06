// Timeouts and connection limits (#7; research/security.md #15): a slow-headers client, a slow-body
// client and an idle keep-alive connection are cut by the server while other clients are served;
// connections past maxConnections are refused. Every wait is on a socket event, never a sleep.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { SERVER_DEFAULTS } from "approute";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { rawRequest, simple } from "../helpers/raw.ts";

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Resolves with everything the server sent once it closes the connection. */
function closed(socket: Socket): Promise<string> {
  let data = "";
  socket.setEncoding("latin1");
  socket.on("data", (chunk) => {
    data += chunk;
  });
  socket.on("error", () => {});
  return new Promise((resolve) => socket.once("close", () => resolve(data)));
}

/** Writes one piece of `pieces` every `ms` until they run out or the socket closes. */
function trickle(socket: Socket, pieces: string[], ms: number): () => void {
  const timer = setInterval(() => {
    const piece = pieces.shift();
    if (piece === undefined || socket.destroyed) clearInterval(timer);
    else socket.write(piece);
  }, ms);
  return () => clearInterval(timer);
}

/** Fast requests on fresh connections until `done` settles; returns their statuses. */
async function fastClient(url: string, done: Promise<unknown>): Promise<number[]> {
  const statuses: number[] = [];
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  while (!finished) statuses.push((await rawRequest(url, simple("GET", "/api/echo"))).status);
  return statuses;
}

describe("timeouts (#7)", () => {
  let f: FixtureServer;
  before(async () => {
    f = await startFixture("hostile", {
      serve: { headersTimeout: 400, requestTimeout: 800, keepAliveTimeout: 200 },
    });
  });
  after(() => f?.close());

  test("slowloris: headers sent one line every 50 ms are cut with 408; a fast client is unaffected", async () => {
    const slow = await open(f.url);
    const result = closed(slow);
    slow.write("GET /api/echo HTTP/1.1\r\nHost: localhost\r\n");
    const stop = trickle(
      slow,
      Array.from({ length: 1000 }, (_, i) => `X-Slow-${i}: 1\r\n`),
      50,
    );
    const fast = fastClient(f.url, result);
    const data = await result;
    stop();
    assert.match(data, /^HTTP\/1\.1 408/);
    const statuses = await fast;
    assert.ok(statuses.length > 0);
    assert.deepEqual(new Set(statuses), new Set([200]));
  });

  test("slow body: a body trickled one byte every 50 ms is cut by the request timeout", async () => {
    const slow = await open(f.url);
    const result = closed(slow);
    slow.write("POST /api/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n");
    const stop = trickle(
      slow,
      Array.from({ length: 1000 }, () => "a"),
      50,
    );
    const fast = fastClient(f.url, result);
    await result;
    stop();
    assert.deepEqual(new Set(await fast), new Set([200]));
  });

  test("an idle keep-alive connection is closed after keepAliveTimeout", async () => {
    const socket = await open(f.url);
    const result = closed(socket);
    socket.write("GET /api/echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const data = await result;
    assert.match(data, /^HTTP\/1\.1 200/);
    assert.match(data, /keep-alive/i);
  });
});

describe("maxConnections (#7)", () => {
  let f: FixtureServer;
  before(async () => {
    f = await startFixture("hostile", { serve: { maxConnections: 2, keepAliveTimeout: 60_000 } });
  });
  after(() => f?.close());

  test("connections past the limit are closed; others keep working; room frees up", async () => {
    const a = await open(f.url);
    const b = await open(f.url);
    const aClosed = closed(a);
    closed(b);
    // Prove both are established server-side with a keep-alive request each.
    for (const s of [a, b]) {
      const got = new Promise<string>((resolve) => s.once("data", (d) => resolve(String(d))));
      s.write("GET /api/echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assert.match(await got, /^HTTP\/1\.1 200/);
    }
    const extra = await open(f.url);
    const extraData = closed(extra);
    extra.write("GET /api/echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert.equal(await extraData, "", "the third connection must be dropped unanswered");
    // The first two still work.
    const got = new Promise<string>((resolve) => b.once("data", (d) => resolve(String(d))));
    b.write("GET /api/echo HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assert.match(await got, /^HTTP\/1\.1 200/);
    a.destroy();
    await aClosed;
    // Node counts the closed socket asynchronously: retry until the freed slot is usable.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = await rawRequest(f.url, simple("GET", "/api/echo")).then(
        (r) => r.status,
        () => 0,
      );
    }
    assert.equal(status, 200);
    b.destroy();
  });
});

describe("server defaults (#15)", () => {
  let f: FixtureServer;
  before(async () => {
    f = await startFixture("hostile");
  });
  after(() => f?.close());

  test("serve() without options applies the documented limits to Node's server", () => {
    const server = f.server.server;
    assert.equal(server.headersTimeout, SERVER_DEFAULTS.headersTimeout);
    assert.equal(server.requestTimeout, SERVER_DEFAULTS.requestTimeout);
    assert.equal(server.keepAliveTimeout, SERVER_DEFAULTS.keepAliveTimeout);
    assert.equal(server.maxConnections, SERVER_DEFAULTS.maxConnections);
    // Node's own defaults are looser (60 s headers) or silently drop headers (1000 lines).
    assert.ok(SERVER_DEFAULTS.headersTimeout <= 30_000);
    assert.ok(SERVER_DEFAULTS.requestTimeout > 0 && SERVER_DEFAULTS.requestTimeout <= 300_000);
    assert.equal(server.maxHeadersCount, 0, "no header is dropped; maxHeaderSize bounds them");
  });
});
