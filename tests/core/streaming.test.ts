// Streaming responses (R139, R26) and client disconnects (R49, R144) over a real socket.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { until } from "../helpers/project.ts";

describe("streaming and abort", () => {
  let fx: FixtureServer;
  before(async () => {
    fx = await startFixture("routing");
  });
  after(() => fx.close());

  test("R139: the first chunk arrives before the stream ends", async () => {
    const res = await fetch(`${fx.url}/api/stream?name=s1`);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), "first;");
    // The handler is still blocked on the gate: only now let it finish.
    assert.equal(await (await fetch(`${fx.url}/api/release?name=s1`)).text(), "released");
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    assert.equal(rest, "second");
  });

  test("R26: an error mid-stream cuts the connection after the status", async () => {
    const res = await fetch(`${fx.url}/api/stream-error`);
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    assert.equal((await fetch(`${fx.url}/api/hello`)).status, 200);
    // The operator hears of it, with the stream's own error (next start logs it too).
    await until(
      async () =>
        fx.logs.some(
          (l) =>
            l.level === "error" &&
            l.message.includes("GET /api/stream-error failed after its status was sent") &&
            (l.error as Error)?.message === "stream failed",
        ),
      "the log line",
    );
  });

  test("R49: request.signal aborts when the client disconnects", async () => {
    const aborted = fetch(`${fx.url}/api/abort-status?wait=aborted`).then((r) => r.text());
    const req = request(`${fx.url}/api/abort`);
    req.on("error", () => {});
    req.end();
    // Wait until the handler is running, then hang up.
    assert.equal(
      await (await fetch(`${fx.url}/api/abort-status?wait=abort-started`)).text(),
      "abort-started",
    );
    req.destroy();
    assert.equal(await aborted, "aborted");
  });
});
