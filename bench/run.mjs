// `npm run bench`: the side-by-side benchmark. Serves the same five endpoints with raw node:http,
// approute, Hono, Fastify and `next start`, each server pinned to core 0 and wrk to core 1, peers
// interleaved; then the router microbench and the build-time bench. Prints a table and writes
// bench/RESULTS.md. Loopback only; every run is bounded.
//
// Options: --quick (short runs, for trying the harness), --rounds=N, --seconds=N, --connections=N,
//          --peers=raw,approute,... , --no-next, --no-write (print only), --no-lib-build (use dist/ as is),
//          --endpoints=hello,cookies (a subset), --load-only (cold start and load only: no router or build
//          bench, nothing written; prints CPU/request and req/s as ratios to the first peer — for A/B work).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateApp, timeBuilds } from "./lib/build-bench.mjs";
import {
  cpuSeconds,
  freePort,
  get,
  median,
  memoryOf,
  settled,
  spawnPinned,
  stop,
  waitFor200,
} from "./lib/proc.mjs";
import { renderResults } from "./lib/report.mjs";
import { runWrk } from "./lib/wrk.mjs";

const BENCH = fileURLToPath(new URL(".", import.meta.url));
const REPO = join(BENCH, "..");
const WORK = join(BENCH, ".work");
const BIN = join(REPO, "bin", "approute.js");
const SERVER_CORE = 0;
const LOAD_CORE = 1;

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=");
    return [k, v ?? true];
  }),
);
const quick = Boolean(args.quick);
const ROUNDS = Number(args.rounds ?? (quick ? 1 : 2));
const SECONDS = Number(args.seconds ?? (quick ? 2 : 5));
const WARMUP = quick ? 1 : 2;
const CONNECTIONS = Number(args.connections ?? 64);
const COLD_RUNS = quick ? 3 : 5;
const ALL_PEERS = ["raw", "approute", "fastify", "hono", "next"];
const PEERS = (args.peers ? String(args.peers).split(",") : ALL_PEERS).filter(
  (p) => !(args["no-next"] && p === "next"),
);

const ECHO_SCRIPT = join(BENCH, "wrk", "echo.lua");
const COOKIE_HEADER = "Cookie: visits=41; theme=dark; session=0123456789abcdef";
const ALL_ENDPOINTS = [
  { name: "hello", path: "/api/hello" },
  { name: "users/[id]", path: "/api/users/42" },
  { name: "echo", path: "/api/echo", script: ECHO_SCRIPT },
  { name: "static", path: "/api/static" },
  { name: "cookies", path: "/api/cookies", headers: [COOKIE_HEADER] },
];

export const ENDPOINTS = args.endpoints
  ? ALL_ENDPOINTS.filter((e) => String(args.endpoints).split(",").includes(e.name.split("/")[0]))
  : ALL_ENDPOINTS;
const loadOnly = Boolean(args["load-only"]);

function log(message) {
  process.stdout.write(`${message}\n`);
}

// The orchestrator itself (polling, bookkeeping) stays off the server core.
spawnSync("taskset", ["-pc", String(LOAD_CORE), String(process.pid)], { stdio: "ignore" });

const servers = new Set();
process.on("exit", () => {
  for (const child of servers) child.kill("SIGKILL");
});
process.on("SIGINT", () => process.exit(130));

function version(pkgDir) {
  try {
    return JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

async function prepare() {
  if (!args["no-lib-build"] || !existsSync(join(REPO, "dist", "index.js"))) {
    log("· building approute (dist/)");
    execFileSync(process.execPath, [join(REPO, "scripts", "build-lib.mjs")], { stdio: "inherit" });
  }
  if (
    !["fastify", "hono", "find-my-way", "rou3"].every((name) => existsSync(join(BENCH, "node_modules", name)))
  ) {
    log("· installing the peers (bench/package.json)");
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--no-save"], {
      cwd: BENCH,
      stdio: "inherit",
    });
  }
  mkdirSync(WORK, { recursive: true });
  // approute: build the bench app the way a user would (approute installed in node_modules).
  const appDir = join(WORK, "approute-app");
  rmSync(appDir, { recursive: true, force: true });
  cpSync(join(BENCH, "app"), appDir, { recursive: true });
  mkdirSync(join(appDir, "node_modules"));
  symlinkSync(REPO, join(appDir, "node_modules", "approute"), "dir");
  execFileSync(process.execPath, [BIN, "build", appDir], { stdio: "inherit" });
  // next: `next build` the very same files (next resolves from the repository's node_modules).
  let nextBuildMs = null;
  if (PEERS.includes("next")) {
    const nextDir = join(WORK, "next-app");
    rmSync(nextDir, { recursive: true, force: true });
    cpSync(join(BENCH, "app"), nextDir, { recursive: true });
    writeFileSync(
      join(nextDir, "next.config.mjs"),
      `export default { turbopack: { root: ${JSON.stringify(REPO)} }, typescript: { ignoreBuildErrors: true } };\n`,
    );
    log("· next build (bench app)");
    const started = performance.now();
    execFileSync(process.execPath, [join(REPO, "node_modules", "next", "dist", "bin", "next"), "build"], {
      cwd: nextDir,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    });
    nextBuildMs = performance.now() - started;
  }
  return { appDir, nextDir: join(WORK, "next-app"), nextBuildMs };
}

function command(peer, dirs, port) {
  switch (peer) {
    case "raw":
      return { argv: [process.execPath, join(BENCH, "peers", "raw.mjs")], env: { PORT: String(port) } };
    case "hono":
      return { argv: [process.execPath, join(BENCH, "peers", "hono.mjs")], env: { PORT: String(port) } };
    case "fastify":
      return { argv: [process.execPath, join(BENCH, "peers", "fastify.mjs")], env: { PORT: String(port) } };
    case "approute":
      return {
        argv: [process.execPath, BIN, "start", dirs.appDir, "-p", String(port), "-H", "127.0.0.1"],
        env: {},
      };
    case "next":
      return {
        argv: [
          process.execPath,
          join(REPO, "node_modules", "next", "dist", "bin", "next"),
          "start",
          "-p",
          String(port),
          "-H",
          "127.0.0.1",
        ],
        env: {},
        cwd: dirs.nextDir,
      };
  }
  throw new Error(`unknown peer ${peer}`);
}

async function startServer(peer, dirs) {
  const port = await freePort();
  const cmd = command(peer, dirs, port);
  const started = performance.now();
  const child = spawnPinned(SERVER_CORE, cmd.argv, { cwd: cmd.cwd, env: cmd.env });
  servers.add(child);
  const base = `http://127.0.0.1:${port}`;
  const coldMs = await waitFor200(`${base}/api/hello`, child, started);
  return { child, base, coldMs };
}

async function stopServer(server) {
  await stop(server.child);
  servers.delete(server.child);
}

/** Checks that every peer answers every endpoint with the same status, body and cookie. */
async function verify(peer, base) {
  const problems = [];
  const expect = {
    "/api/hello": { message: "Hello, World!" },
    "/api/users/42": { id: "42", name: "User 42" },
    "/api/static": { static: true, items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
    "/api/cookies": { visits: 42 },
  };
  for (const [path, body] of Object.entries(expect)) {
    const res = await get(
      `${base}${path}`,
      path === "/api/cookies" ? { cookie: COOKIE_HEADER.slice(8) } : {},
    );
    if (res.status !== 200) problems.push(`${path}: status ${res.status}`);
    else if (res.body !== JSON.stringify(body)) problems.push(`${path}: body ${res.body}`);
    if (!String(res.headers["content-type"]).startsWith("application/json"))
      problems.push(`${path}: content-type ${res.headers["content-type"]}`);
    if (path === "/api/cookies" && !String(res.headers["set-cookie"]).startsWith("visits=42; Path=/"))
      problems.push(`${path}: set-cookie ${res.headers["set-cookie"]}`);
  }
  // bench/wrk/echo.lua builds the same document.
  const payload = echoPayload();
  const echo = await get(`${base}/api/echo`, { "content-type": "application/json" }, "POST", payload);
  if (echo.status !== 200 || echo.body !== payload)
    problems.push(`/api/echo: ${echo.status} ${echo.body.slice(0, 80)}`);
  if (problems.length) log(`  ! ${peer} answers differently: ${problems.join("; ")}`);
  return problems;
}

/**
 * For every cell, the median over all 1 s slices of its req/s divided by each other peer's req/s in
 * the same cycle (`cell.ratioTo[peer]`; a cycle gives every peer one slice, back to back). Peers
 * measured seconds apart share the host's drift, so these ratios are much steadier than a ratio of
 * two throughputs taken minutes apart.
 */
function pairedRatios(load, slices) {
  for (const peer of Object.keys(load))
    for (const ep of Object.keys(load[peer])) {
      const ratioTo = {};
      for (const other of Object.keys(load)) {
        const theirs = new Map((slices[other]?.[ep] ?? []).map((x) => [x.cycle, x.rps]));
        const pairs = (slices[peer]?.[ep] ?? [])
          .map((x) => x.rps / theirs.get(x.cycle))
          .filter((x) => Number.isFinite(x));
        if (pairs.length > 0) ratioTo[other] = median(pairs);
      }
      load[peer][ep].ratioTo = ratioTo;
    }
}

/** The same ~1 KB JSON document bench/wrk/echo.lua sends. */
export function echoPayload() {
  const items = [];
  for (let i = 1; i <= 12; i++)
    items.push(`{"id":${i},"name":"item number ${i}","tags":["alpha","beta","gamma"],"price":${i * 3}.99}`);
  return `{"user":"bench","items":[${items.join(",")}],"note":"approute echo benchmark"}`;
}

async function main() {
  const begun = new Date();
  const loadBefore = loadavg();
  const dirs = await prepare();
  const versions = {
    node: process.versions.node,
    approute: version(REPO),
    fastify: version(join(BENCH, "node_modules", "fastify")),
    hono: version(join(BENCH, "node_modules", "hono")),
    "@hono/node-server": version(join(BENCH, "node_modules", "@hono", "node-server")),
    next: version(join(REPO, "node_modules", "next")),
    "find-my-way": version(join(BENCH, "node_modules", "find-my-way")),
    rou3: version(join(BENCH, "node_modules", "rou3")),
    wrk: spawnSync("wrk", ["-v"], { encoding: "utf8" }).stdout.split("\n")[0].trim(),
  };

  // 1. Correctness, then cold start (interleaved, median of COLD_RUNS).
  const problems = {};
  const cold = Object.fromEntries(PEERS.map((p) => [p, []]));
  for (let run = 0; run < COLD_RUNS; run++) {
    for (const peer of rotate(PEERS, run)) {
      const server = await startServer(peer, dirs);
      cold[peer].push(server.coldMs);
      if (run === 0) problems[peer] = await verify(peer, server.base);
      await stopServer(server);
    }
  }
  log(
    `· cold start (median of ${COLD_RUNS}): ${PEERS.map((p) => `${p} ${median(cold[p]).toFixed(0)} ms`).join(", ")}`,
  );

  // 2. Load: rounds × endpoints × slices × peers. Every peer's server runs for the whole round (only
  // the one under load does work). Within an endpoint the peers take turns in 1 s slices (order
  // rotated every cycle), so the measurements compared with each other are about a second apart and
  // share the host's drift; this virtual machine's throughput wanders by ±50% over tens of seconds.
  const load = {};
  const memory = {};
  /** slices[peer][endpoint] = [{ cycle, rps }]: one entry per slice, for ratios paired by cycle. */
  const slices = {};
  /** Every measurement in the order it was taken (results.json), to study order and drift effects. */
  const measurements = [];
  let cycle = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const servers = {};
    for (const peer of PEERS) servers[peer] = await startServer(peer, dirs);
    const optionsFor = (peer, ep) => ({
      core: LOAD_CORE,
      url: servers[peer].base + ep.path,
      connections: CONNECTIONS,
      script: ep.script,
      headers: ep.headers,
    });
    // Warm every endpoint before measuring any, so JIT work does not land on the first one.
    for (const peer of PEERS) {
      for (const ep of ENDPOINTS) await runWrk({ ...optionsFor(peer, ep), seconds: WARMUP });
      await settled(servers[peer].child.pid);
    }
    for (const ep of ENDPOINTS) {
      const sum = {};
      for (let slice = 0; slice < SECONDS; slice++, cycle++) {
        for (const peer of rotate(PEERS, cycle)) {
          const pid = servers[peer].child.pid;
          const cpuBefore = cpuSeconds(pid);
          const result = await runWrk({ ...optionsFor(peer, ep), seconds: 1 });
          const cpu = cpuSeconds(pid) - cpuBefore;
          await settled(pid);
          ((slices[peer] ??= {})[ep.name] ??= []).push({ cycle, rps: result.rps });
          measurements.push({
            round,
            cycle,
            peer,
            endpoint: ep.name,
            atS: (Date.now() - begun.getTime()) / 1000,
            rps: result.rps,
            p99: result.p99,
            cpuUs: Number(((cpu * 1e6) / Math.max(1, result.requests)).toFixed(1)),
          });
          const s = (sum[peer] ??= { requests: 0, seconds: 0, cpu: 0, errors: 0, p50: [], p99: [] });
          s.requests += result.requests;
          s.seconds += result.requests / result.rps;
          s.cpu += cpu;
          s.errors += result.errors;
          s.p50.push(result.p50);
          s.p99.push(result.p99);
        }
      }
      for (const peer of PEERS) {
        const s = sum[peer];
        // The round's figures for this cell: its throughput over all slices, the median slice's
        // latency percentiles, its CPU time per request; across rounds the best throughput is kept.
        const result = {
          rps: s.requests / s.seconds,
          p50: median(s.p50),
          p99: median(s.p99),
          errors: s.errors,
          requests: s.requests,
          cpuUs: (s.cpu * 1e6) / Math.max(1, s.requests),
        };
        const cell = (load[peer] ??= {});
        const previous = cell[ep.name];
        const best = !previous || result.rps > previous.rps ? result : { ...previous };
        best.cpuUs = Math.min(result.cpuUs, previous?.cpuUs ?? Number.POSITIVE_INFINITY);
        best.errors = result.errors + (previous?.errors ?? 0);
        cell[ep.name] = best;
        log(
          `  ${peer.padEnd(9)} ${ep.name.padEnd(11)} ${result.rps.toFixed(0).padStart(7)} req/s  p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  errors ${result.errors}  cpu ${result.cpuUs.toFixed(0)} µs/req`,
        );
      }
    }
    for (const peer of PEERS) {
      const mem = memoryOf(servers[peer].child.pid);
      const prev = memory[peer];
      memory[peer] = prev ? { rss: Math.max(prev.rss, mem.rss), peak: Math.max(prev.peak, mem.peak) } : mem;
      await stopServer(servers[peer]);
    }
  }

  pairedRatios(load, slices);

  if (loadOnly) {
    const base = PEERS[0];
    log(`\n· ratios to ${base} (req/s; server CPU per request, lower is better)`);
    for (const peer of PEERS)
      for (const ep of ENDPOINTS) {
        const a = load[peer][ep.name];
        const b = load[base][ep.name];
        log(
          `  ${peer.padEnd(9)} ${ep.name.padEnd(11)} ${(a.ratioTo?.[base] ?? a.rps / b.rps).toFixed(2)}x req/s (paired)  ${a.cpuUs.toFixed(1)} µs/req (${(b.cpuUs / a.cpuUs).toFixed(2)}x)  rss ${(memory[peer].rss / 2 ** 20).toFixed(0)} MB`,
        );
      }
    const out = { date: begun.toISOString(), peers: PEERS, endpoints: ENDPOINTS.map((e) => e.name) };
    writeFileSync(
      join(WORK, "load-only.json"),
      `${JSON.stringify({ ...out, load, measurements, memory }, null, 2)}\n`,
    );
    return;
  }

  // 3. Router microbench (pinned to the server core).
  log("· router microbench");
  const routerOut = spawnSync(
    "taskset",
    [
      "-c",
      String(SERVER_CORE),
      process.execPath,
      join(BENCH, "lib", "router-bench.mjs"),
      "100,1000,10000",
      quick ? "0.2" : "0.5",
    ],
    { encoding: "utf8" },
  );
  if (routerOut.status !== 0) throw new Error(`router bench failed:\n${routerOut.stderr}`);
  const router = JSON.parse(routerOut.stdout.trim().split("\n").pop());

  // 4. Build-time bench: 200 routes.
  log("· build bench (200 routes)");
  const buildDir = join(WORK, "build-200");
  generateApp(buildDir, REPO, 200);
  const builds = timeBuilds(buildDir, BIN, quick ? 1 : 3);
  // Cold start of that 200-route app (spawn → first 200 of one of its routes), for how start-up grows
  // with the number of routes.
  const cold200 = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    const port = await freePort();
    const started = performance.now();
    const child = spawnPinned(SERVER_CORE, [
      process.execPath,
      BIN,
      "start",
      buildDir,
      "-p",
      String(port),
      "-H",
      "127.0.0.1",
    ]);
    servers.add(child);
    cold200.push(await waitFor200(`http://127.0.0.1:${port}/api/r0`, child, started));
    await stop(child);
    servers.delete(child);
  }
  builds.cold200 = cold200;

  const results = {
    date: begun.toISOString(),
    durationS: (Date.now() - begun.getTime()) / 1000,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? "?",
      memoryGB: totalmem() / 2 ** 30,
      kernel: release(),
      loadBefore,
      loadAfter: loadavg(),
    },
    settings: { rounds: ROUNDS, seconds: SECONDS, warmup: WARMUP, connections: CONNECTIONS, quick },
    versions,
    peers: PEERS,
    endpoints: ENDPOINTS.map((e) => e.name),
    problems,
    cold,
    load,
    measurements,
    memory,
    router,
    builds,
    nextBuildMs: dirs.nextBuildMs,
  };
  writeFileSync(join(WORK, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderResults(results);
  log(`\n${markdown}`);
  if (!args["no-write"]) {
    writeFileSync(join(BENCH, "RESULTS.md"), mergeNotes(markdown));
    // The repository's formatter owns Markdown too (`npm run lint` checks bench/RESULTS.md).
    spawnSync(
      process.execPath,
      [
        join(REPO, "node_modules", "@biomejs", "biome", "bin", "biome"),
        "format",
        "--write",
        join(BENCH, "RESULTS.md"),
      ],
      { stdio: "ignore" },
    );
    log("· wrote bench/RESULTS.md");
  }
}

/** Keeps the hand-written "Fast paths" section of RESULTS.md across runs. */
function mergeNotes(markdown) {
  const file = join(BENCH, "RESULTS.md");
  const marker = "<!-- notes: kept across runs -->";
  if (!existsSync(file)) return markdown;
  const old = readFileSync(file, "utf8");
  const at = old.indexOf(marker);
  return at === -1 ? markdown : `${markdown}\n${old.slice(at)}`;
}

function rotate(list, by) {
  const n = by % list.length;
  return [...list.slice(n), ...list.slice(0, n)];
}

await main();
process.exit(0);
