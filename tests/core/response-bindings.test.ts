// Issue #6: compiled route modules get approute's lightweight `Response` in place of the global
// (esbuild inject). Speed must never change behaviour: every construction below is answered once
// through the binding and once through the process-wide undici Response, and the wire bytes must
// match (status line, header names in order, values, body). Only framing may differ: a known-length
// body gets Content-Length instead of chunked encoding (A7).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cases } from "../fixtures/response-bindings/lib/cases.ts";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { rawRequest } from "../helpers/raw.ts";

const FRAMING = new Set(["date", "connection", "keep-alive", "content-length", "transfer-encoding"]);

function simple(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;
}

/** Status line and header lines in wire order, without the framing headers Node adds. */
function wire(raw: string): { statusLine: string; headers: string[] } {
  const head = raw.slice(0, raw.indexOf("\r\n\r\n")).split("\r\n");
  const headers = head
    .slice(1)
    .filter((line) => !FRAMING.has(line.slice(0, line.indexOf(":")).toLowerCase()));
  return { statusLine: head[0]!, headers };
}

describe("Response bound into route modules (#6)", () => {
  let fx: FixtureServer;
  before(async () => {
    fx = await startFixture("response-bindings");
  });
  after(() => fx.close());

  for (const name of Object.keys(cases)) {
    test(`same bytes as the global Response: ${name}`, async () => {
      const bound = await rawRequest(fx.url, simple(`/bound/${name}`));
      const global = await rawRequest(fx.url, simple(`/global/${name}`));
      assert.deepEqual(wire(bound.raw), wire(global.raw));
      assert.equal(bound.body, global.body);
    });
  }

  test("A7: known-length bodies from the binding carry Content-Length", async () => {
    for (const name of ["text", "json", "bytes", "url-search-params", "unicode"]) {
      const res = await rawRequest(fx.url, simple(`/bound/${name}`));
      assert.equal(res.headers["content-length"]?.[0], String(Buffer.byteLength(res.body)), name);
      assert.equal(res.headers["transfer-encoding"], undefined, name);
    }
  });

  test("instanceof and identity inside the module behave like the global", async () => {
    const res = await fetch(`${fx.url}/identity`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      bound: true,
      name: "Response",
      globalIsResponse: true,
      ownIsResponse: true,
      ownIsGlobal: true,
      nextIsResponse: true,
      customIsCustom: true,
      ownIsCustom: false,
      customIsResponse: true,
      plainObject: false,
      jsonIsBound: true,
      tag: "[object Response]",
      errorType: "error",
    });
  });

  test("the process-wide Response is not replaced", () => {
    const response = new Response("x");
    assert.equal(Symbol.for("approute.status") in response, false);
    assert.ok(response.body instanceof ReadableStream);
  });

  test("the fetch entry hands out real Responses built from the binding", async () => {
    const res = await fx.app.fetch(new Request("http://localhost:3000/bound/json-init"));
    assert.equal(res.status, 201);
    assert.equal(res.statusText, "Made");
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(await res.json(), { a: 1 });
  });
});
