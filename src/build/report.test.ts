// Terminal helpers of the build report and dev output: the progress line rewrites itself only on a
// TTY, colour codes appear only when enabled, code frames point at the line and column.
import assert from "node:assert/strict";
import { test } from "node:test";
import { codeFrame, formatRequestLine } from "./dev-log.js";
import { createProgress, formatBuildReport, formatBytes, paint } from "./report.js";

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
  assert.ok(colored(200).includes("\u001b[32m200\u001b[39m"));
  assert.ok(colored(308).includes("\u001b[36m308\u001b[39m"));
  assert.ok(colored(404).includes("\u001b[33m404\u001b[39m"));
  assert.ok(colored(500).includes("\u001b[31m500\u001b[39m"));
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

test("route table: kinds from the build's cache decision, methods in a fixed order, proxy line", () => {
  const route = (key: string, file: string, cache?: { mode: "static" | "dynamic"; paths: string[] }) => ({
    key,
    file,
    segments: [],
    chunk: "x.mjs",
    ...(cache ? { cache } : {}),
  });
  const text = formatBuildReport(
    {
      manifest: {
        version: 1,
        buildId: "b",
        routes: [
          route("/b/static", "app/b/static/route.ts", { mode: "static", paths: ["/b/static"] }),
          route("/a/isr", "app/a/isr/route.ts", { mode: "static", paths: ["/a/isr"] }),
          route("/c/dyn", "app/c/dyn/route.ts", { mode: "dynamic", paths: [] }),
          route("/d/plain", "app/d/plain/route.ts"),
        ],
        proxy: { file: "proxy.ts", chunk: "proxy.mjs", kind: "proxy" },
      },
      routeInfo: [
        { exports: ["GET"], bytes: 100 },
        { exports: ["POST", "GET", "revalidate"], bytes: 2000 },
        { exports: ["DELETE", "GET"], bytes: 300 },
        { exports: ["helper"], bytes: 50 },
      ],
      warnings: [],
      durationMs: 12.4,
      outDir: "/x/.approute/server",
    },
    { revalidate: new Map([["app/a/isr/route.ts", 60]]), outDirLabel: ".approute/server" },
  );
  const lines = text.split("\n");
  assert.match(lines[0]!, /^ {2}Route\s+Kind\s+Methods\s+Size$/);
  assert.match(lines[1]!, /^┌ ◐ \/a\/isr\s+revalidate 60s\s+GET, POST\s+2\.0 kB$/);
  assert.match(lines[2]!, /^├ ○ \/b\/static\s+static\s+GET\s+100 B$/);
  assert.match(lines[3]!, /^├ ƒ \/c\/dyn\s+dynamic\s+GET, DELETE\s+300 B$/);
  assert.match(lines[4]!, /^└ ƒ \/d\/plain\s+dynamic\s+—\s+50 B$/);
  assert.match(text, /ƒ Proxy \(proxy\)\s+proxy\.ts/);
  assert.match(text, /✓ built 4 routes in 12 ms → \.approute\/server$/);
});
