#!/usr/bin/env node
// Soak test (#7): builds a tiny app, serves it with `approute start` on loopback, and drives it with
// wrk at 256 connections in 10 s rounds until it has run at least 60 s AND served at least 1 million
// requests (bounded by --max-seconds). Passes when no round saw a socket error or a non-2xx answer,
// and the server's RSS at the end is within 10% of its RSS after the first (warm-up) round.
//
// Usage: npm run soak [-- --connections 256 --min-seconds 60 --requests 1000000 --max-seconds 240 --write]
//   --timeout 2s  wrk's per-request timeout (a slower reply counts as an error)
//   --write  append the report to bench/SOAK.md
import { spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const BIN = join(REPO, "bin", "approute.js");
const { values: args } = parseArgs({
  options: {
    connections: { type: "string", default: "256" },
    threads: { type: "string", default: "2" },
    "min-seconds": { type: "string", default: "60" },
    requests: { type: "string", default: "1000000" },
    "max-seconds": { type: "string", default: "240" },
    round: { type: "string", default: "10" },
    // wrk's per-request timeout: a reply slower than this counts as an error. 2 s (wrk's default)
    // is tight on a shared 2-core machine where wrk and the server compete for CPU.
    timeout: { type: "string", default: "2s" },
    write: { type: "boolean", default: false },
  },
});
const CONNECTIONS = Number(args.connections);
const MIN_SECONDS = Number(args["min-seconds"]);
const MIN_REQUESTS = Number(args.requests);
const MAX_SECONDS = Number(args["max-seconds"]);
const ROUND = Number(args.round);

if (spawnSync("wrk", ["--version"]).error) {
  console.error("soak: wrk is not installed (apt-get install wrk).");
  process.exit(2);
}

// A project outside the repo with approute linked the way an install would.
const root = mkdtempSync(join(os.tmpdir(), "approute-soak-"));
const files = {
  "app/api/hello/route.ts": `export function GET() { return Response.json({ hello: "world" }); }\n`,
  "app/api/items/[id]/route.ts": `import type { NextRequest } from "next/server";
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return Response.json({ id, q: request.nextUrl.searchParams.get("q") });
}\n`,
  "app/api/echo/route.ts": `export async function POST(request: Request) {
  const body = await request.json();
  return Response.json({ got: body });
}\n`,
};
mkdirSync(join(root, "node_modules"));
symlinkSync(REPO, join(root, "node_modules", "approute"), "dir");
for (const [path, content] of Object.entries(files)) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}
// wrk rotates over a static route, a dynamic route with a query, and a JSON POST.
writeFileSync(
  join(root, "mix.lua"),
  `local n = 0
request = function()
  n = n + 1
  local k = n % 3
  if k == 0 then return wrk.format("GET", "/api/hello") end
  if k == 1 then return wrk.format("GET", "/api/items/" .. n .. "?q=x") end
  return wrk.format("POST", "/api/echo", { ["Content-Type"] = "application/json" }, '{"n":' .. n .. '}')
end
`,
);

const built = spawnSync(process.execPath, [BIN, "build", root], { encoding: "utf8" });
if (built.status !== 0) {
  console.error(built.stderr || built.stdout);
  process.exit(1);
}

const server = spawn(process.execPath, [BIN, "start", root, "-p", "0", "-H", "127.0.0.1"], {
  stdio: ["ignore", "pipe", "pipe"],
});
let serverLog = "";
const url = await new Promise((resolve, reject) => {
  const onData = (chunk) => {
    serverLog += chunk;
    const m = serverLog.match(/ready on (http:\/\/\S+)/);
    if (m) resolve(m[1].replace("localhost", "127.0.0.1"));
  };
  server.stdout.on("data", onData);
  server.stderr.on("data", onData);
  server.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${serverLog}`)));
});

function rssKiB(pid) {
  const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) : Number.NaN;
}

function runRound() {
  const out = spawnSync(
    "wrk",
    [
      "--latency",
      "--timeout",
      args.timeout,
      "-t",
      args.threads,
      "-c",
      String(CONNECTIONS),
      "-d",
      `${ROUND}s`,
      "-s",
      join(root, "mix.lua"),
      url,
    ],
    { encoding: "utf8" },
  ).stdout;
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? Number.NaN);
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const byKind = socket ? socket.slice(1).map(Number) : [0, 0, 0, 0];
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? Number.NaN);
  const p99 = out.match(/Latency Distribution[\s\S]*?99%\s+(\S+)/)?.[1];
  return { requests, socketErrors, byKind, non2xx, rps, p99, out };
}

const started = Date.now();
const load = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(" ");
const rounds = [];
let total = 0;
const rssStart = rssKiB(server.pid);
while (true) {
  const r = runRound();
  r.rss = rssKiB(server.pid);
  rounds.push(r);
  total += r.requests;
  const elapsed = (Date.now() - started) / 1000;
  console.log(
    `round ${rounds.length}: ${r.requests} requests, ${r.rps} req/s, socket errors ${r.socketErrors}, non-2xx ${r.non2xx}, RSS ${(r.rss / 1024).toFixed(1)} MiB`,
  );
  if (!Number.isFinite(r.requests)) {
    console.error(r.out);
    break;
  }
  if ((elapsed >= MIN_SECONDS && total >= MIN_REQUESTS) || elapsed + ROUND > MAX_SECONDS) break;
}
const elapsed = (Date.now() - started) / 1000;
server.kill("SIGTERM");
const exitCode = await new Promise((resolve) => server.once("exit", (code) => resolve(code)));
rmSync(root, { recursive: true, force: true });

const errors = rounds.reduce((a, r) => a + r.socketErrors + r.non2xx, 0);
const kinds = ["connect", "read", "write", "timeout"].map(
  (name, i) => `${name} ${rounds.reduce((a, r) => a + r.byKind[i], 0)}`,
);
const non2xx = rounds.reduce((a, r) => a + r.non2xx, 0);
const baseline = rounds[0].rss;
const final = rounds.at(-1).rss;
const peak = Math.max(...rounds.map((r) => r.rss));
const drift = (final - baseline) / baseline;
const checks = {
  [`${CONNECTIONS} connections for ≥ ${MIN_SECONDS} s with zero errors`]:
    errors === 0 && elapsed >= MIN_SECONDS,
  [`≥ ${MIN_REQUESTS} requests`]: total >= MIN_REQUESTS,
  "RSS at the end within 10% of RSS after warm-up": Math.abs(drift) <= 0.1,
  "graceful exit 0 on SIGTERM": exitCode === 0,
};
const mib = (k) => `${(k / 1024).toFixed(1)} MiB`;
const cpus = os.cpus();
const report = `## Soak run ${new Date().toISOString()}

- Machine: ${cpus.length} × ${cpus[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}
- Conditions: loopback, wrk -t${args.threads} -c${CONNECTIONS} --timeout ${args.timeout} in ${ROUND} s rounds (GET static, GET dynamic+query, POST JSON); load average at start ${load} (machine shared with other work)
- Requests: ${total} in ${elapsed.toFixed(0)} s (${(total / elapsed).toFixed(0)} req/s average); errors: ${errors} (socket: ${kinds.join(", ")}; non-2xx: ${non2xx})
- RSS: ${mib(rssStart)} idle, ${mib(baseline)} after round 1, ${mib(final)} at the end (${(drift * 100).toFixed(1)}%), peak ${mib(peak)}
- p99 latency per round: ${rounds.map((r) => r.p99).join(", ")}

| check | result |
|---|---|
${Object.entries(checks)
  .map(([k, v]) => `| ${k} | ${v ? "pass" : "FAIL"} |`)
  .join("\n")}
`;
console.log(`\n${report}`);
if (args.write) appendFileSync(join(REPO, "bench", "SOAK.md"), `\n${report}`);
process.exit(Object.values(checks).every(Boolean) ? 0 : 1);
