// X-Forwarded-Host when a request has no Host (R42, R47, R128), checked against next start 16.4.6:
// an HTTP/1.0 request without Host, or a proxy that hands the handler a fresh header set, gets the
// host name the server was told to listen on (`-H`, as given, no port; `localhost` without -H),
// while request.url keeps the server's own origin (loopback names read as `localhost`).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type RunningServer, serve } from "approute";
import { requestOriginFor } from "approute/node";
import { captureLogger, type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { rawRequest } from "../helpers/raw.ts";

interface Seen {
  url: string;
  request: Record<string, string>;
  headers: Record<string, string>;
}

const http10 = (target: string, extra = "") => `GET ${target} HTTP/1.0\r\n${extra}\r\n`;
const http11 = (target: string, host: string, extra = "") =>
  `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${extra}\r\n`;

async function seen(url: string, request: string): Promise<Seen> {
  const res = await rawRequest(url, request);
  assert.equal(res.status, 200, res.raw.slice(0, 300));
  return JSON.parse(res.body) as Seen;
}

describe("X-Forwarded-Host without a Host header (R47)", () => {
  let f: FixtureServer;
  const extra: RunningServer[] = [];
  /** The fixture's app served again with other listen options. */
  const again = async (options: Parameters<typeof serve>[1]) => {
    const server = await serve(() => f.app, { port: 0, logger: captureLogger(f.logs), ...options });
    extra.push(server);
    return `http://${options?.hostname === "::1" ? "[::1]" : (options?.hostname ?? "127.0.0.1")}:${server.port}`;
  };
  before(async () => {
    f = await startFixture("proxy");
  });
  after(async () => {
    await Promise.all(extra.map((s) => s.close()));
    await f?.close();
  });

  test("HTTP/1.0 without Host: the listen host name, as given to -H", async () => {
    const url = await again({ hostname: "127.0.0.2" });
    const port = new URL(url).port;
    const body = await seen(url, http10("/api/hdr"));
    assert.equal(body.request["x-forwarded-host"], "127.0.0.2");
    assert.equal(body.request.host, undefined);
    assert.equal(body.request["x-forwarded-port"], port);
    assert.equal(body.request["x-forwarded-proto"], "http");
    assert.equal(body.headers["x-forwarded-host"], "127.0.0.2", "next/headers sees the same (R64)");
    // request.url: a loopback listen name reads as localhost, as next start's NextURL reads it (R42).
    assert.equal(body.url, `http://localhost:${port}/api/hdr`);
  });

  test("-H localhost and -H 127.0.0.1 name themselves", async () => {
    for (const hostname of ["localhost", "127.0.0.1"]) {
      const url = await again({ hostname });
      const body = await seen(url, http10("/api/hdr"));
      assert.equal(body.request["x-forwarded-host"], hostname);
      assert.equal(body.url, `http://localhost:${new URL(url).port}/api/hdr`);
    }
  });

  test("with a Host header it is the Host, as before", async () => {
    const body = await seen(f.url, http11("/api/hdr", "client.test:99"));
    assert.equal(body.request["x-forwarded-host"], "client.test:99");
    assert.equal(body.request.host, "client.test:99");
  });

  test("an HTTP/1.0 request may still send Host", async () => {
    const body = await seen(f.url, http10("/api/hdr", "Host: client.test\r\n"));
    assert.equal(body.request["x-forwarded-host"], "client.test");
  });

  test("a proxy's fresh header set gets the listen host name, not the client's Host (R128)", async () => {
    const url = await again({ hostname: "127.0.0.2" });
    const body = await seen(
      url,
      http11(
        "/api/hdr?fresh=1",
        "client.test:99",
        "X-Forwarded-Host: evil.test\r\nX-Forwarded-Proto: https\r\n",
      ),
    );
    assert.equal(body.request["x-only"], "1");
    assert.equal(body.request.host, undefined);
    assert.equal(body.request["x-forwarded-host"], "127.0.0.2");
    assert.equal(
      body.request["x-forwarded-proto"],
      "http",
      "the client's X-Forwarded-Proto went with the old set",
    );
    assert.equal(body.url, `http://localhost:${new URL(url).port}/api/hdr?fresh=1`);
  });

  test("the fixture's own server (-H 127.0.0.1) names itself after a fresh set too", async () => {
    const body = await seen(f.url, http11("/api/hdr?fresh=1", "client.test"));
    assert.equal(body.request["x-forwarded-host"], "127.0.0.1");
  });

  test("without trustProxy, X-Forwarded-Host from the client is a plain header", async () => {
    const body = await seen(f.url, http10("/api/hdr", "X-Forwarded-Host: evil.test\r\n"));
    assert.equal(body.request["x-forwarded-host"], "evil.test", "as next start: the client's value is kept");
    assert.equal(
      body.url,
      `${f.url.replace("127.0.0.1", "localhost")}/api/hdr`,
      "but never the origin (R42)",
    );
  });

  describe("trustProxy", () => {
    let url: string;
    before(async () => {
      url = await again({ hostname: "127.0.0.2", trustProxy: true });
    });

    test("HTTP/1.0 from the proxy without Host: request.url from X-Forwarded-Host/-Proto", async () => {
      const body = await seen(
        url,
        http10("/api/hdr", "X-Forwarded-Host: api.example.com\r\nX-Forwarded-Proto: https\r\n"),
      );
      assert.equal(body.url, "https://api.example.com/api/hdr");
      assert.equal(body.request["x-forwarded-host"], "api.example.com");
    });

    test("HTTP/1.0 without Host or X-Forwarded-Host: the listen host name", async () => {
      const body = await seen(url, http10("/api/hdr"));
      assert.equal(body.request["x-forwarded-host"], "127.0.0.2");
      assert.equal(body.url, `http://localhost:${new URL(url).port}/api/hdr`);
    });

    test("a fresh header set keeps what the trusted proxy said: host, scheme and request.url", async () => {
      const body = await seen(
        url,
        http11(
          "/api/hdr?fresh=1",
          "internal:3000",
          "X-Forwarded-Host: api.example.com\r\nX-Forwarded-Proto: https\r\n",
        ),
      );
      assert.equal(body.request["x-only"], "1");
      assert.equal(body.request["x-forwarded-host"], "api.example.com");
      assert.equal(body.request["x-forwarded-proto"], "https");
      assert.equal(body.url, "https://api.example.com/api/hdr?fresh=1");
    });

    test("a malformed trusted X-Forwarded-Host is not used for a fresh set either", async () => {
      const body = await seen(
        url,
        http11("/api/hdr?fresh=1", "internal", "X-Forwarded-Host: a@evil.test\r\n"),
      );
      assert.equal(body.request["x-forwarded-host"], "127.0.0.2");
      assert.equal(body.url, `http://localhost:${new URL(url).port}/api/hdr?fresh=1`);
    });
  });
});

describe("request.url origin for a listen host name (R42)", () => {
  test("as next start: loopback reads as localhost, an unspecified address stays as given", () => {
    assert.equal(requestOriginFor(undefined, 3000), "http://localhost:3000");
    assert.equal(requestOriginFor("localhost", 3000), "http://localhost:3000");
    assert.equal(requestOriginFor("127.0.0.1", 3000), "http://localhost:3000");
    assert.equal(requestOriginFor("127.1.2.3", 3000), "http://localhost:3000");
    assert.equal(requestOriginFor("::1", 3000), "http://localhost:3000");
    assert.equal(requestOriginFor("0.0.0.0", 3000), "http://0.0.0.0:3000");
    assert.equal(requestOriginFor("::", 3000), "http://[::]:3000");
    assert.equal(requestOriginFor("fd00::2", 3000), "http://[fd00::2]:3000");
  });
});
