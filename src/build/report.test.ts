// Terminal helpers of the build report and dev output: the progress line rewrites itself only on a
// TTY, colour codes appear only when enabled, code frames point at the line and column.
import assert from "node:assert/strict";
import { test } from "node:test";
import { codeFrame, formatRequestLine } from "./dev-log.js";
import { createProgress, formatBytes, paint } from "./report.js";

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

test("progress on a TTY rewrites one line and clears it when done", () => {
  const { writes, stream } = fakeStream(true);
  const progress = createProgress(stream);
  progress.update("scanning routes");
  progress.update("compiling 3 routes");
  progress.done();
  assert.deepEqual(writes, ["\r\u001b[2Kscanning routes…", "\r\u001b[2Kcompiling 3 routes…", "\r\u001b[2K"]);
});

test("progress elsewhere prints plain lines and nothing to clear", () => {
  const { writes, stream } = fakeStream(false);
  const progress = createProgress(stream);
  progress.update("scanning routes");
  progress.done();
  assert.deepEqual(writes, ["approute: scanning routes\n"]);
});

test("request lines: plain, or coloured by status class", () => {
  assert.equal(
    formatRequestLine("GET", "/api/x?y=1", 200, 3.25, paint(false)),
    "GET /api/x?y=1 200 in 3.3ms",
  );
  assert.equal(formatRequestLine("POST", "/a", 201, 42.4, paint(false)), "POST /a 201 in 42ms");
  const colored = (status: number) => formatRequestLine("GET", "/", status, 1, paint(true));
  assert.match(colored(200), /\u001b\[32m200\u001b\[39m/);
  assert.match(colored(308), /\u001b\[36m308\u001b\[39m/);
  assert.match(colored(404), /\u001b\[33m404\u001b\[39m/);
  assert.match(colored(500), /\u001b\[31m500\u001b\[39m/);
});

test("code frame marks the line and puts a caret under the column", () => {
  const source = "one\ntwo\nthree(x)\nfour\nfive\nsix";
  assert.equal(
    codeFrame(source, 3, 7),
    "  1 | one\n  2 | two\n> 3 | three(x)\n    |       ^\n  4 | four\n  5 | five",
  );
  assert.equal(codeFrame(source, 1, 1), "> 1 | one\n    | ^\n  2 | two\n  3 | three(x)");
});

test("sizes", () => {
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1234), "1.2 kB");
  assert.equal(formatBytes(2_500_000), "2.50 MB");
});
