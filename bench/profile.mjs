// `node bench/profile.mjs [endpoint] [seconds] [--peer=raw|fastify|hono] [--no-build]`: serves the bench
// app with approute (or a peer) under `--cpu-prof`, loads one endpoint with wrk, and prints the
// functions with the most self time, then the same time summed by area (approute module, undici,
// cookie library, node:http internals, async_hooks, syscalls), idle excluded — compare two areas
// tables to see where approute spends what the peer does not.
// The .cpuprofile is left in bench/.work/profiles/ for a closer look (Chrome DevTools, speedscope).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, spawnPinned, waitFor200 } from "./lib/proc.mjs";
import { runWrk } from "./lib/wrk.mjs";

const BENCH = fileURLToPath(new URL(".", import.meta.url));
const REPO = join(BENCH, "..");
const WORK = join(BENCH, ".work");
const positional = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const endpoint = positional[0] ?? "hello";
const seconds = Number(positional[1] ?? 5);
const peer = process.argv.find((a) => a.startsWith("--peer="))?.slice(7) ?? "approute";
const ENDPOINTS = {
  hello: { path: "/api/hello" },
  users: { path: "/api/users/42" },
  echo: { path: "/api/echo", script: join(BENCH, "wrk", "echo.lua") },
  static: { path: "/api/static" },
  cookies: { path: "/api/cookies", headers: ["Cookie: visits=41; theme=dark; session=0123456789abcdef"] },
};
const ep = ENDPOINTS[endpoint];
if (!ep) throw new Error(`unknown endpoint ${endpoint}; one of ${Object.keys(ENDPOINTS).join(", ")}`);

const appDir = join(WORK, "profile-app");
if (peer === "approute" && !process.argv.includes("--no-build")) {
  execFileSync(process.execPath, [join(REPO, "scripts", "build-lib.mjs")], { stdio: "inherit" });
  rmSync(appDir, { recursive: true, force: true });
  cpSync(join(BENCH, "app"), appDir, { recursive: true });
  mkdirSync(join(appDir, "node_modules"));
  symlinkSync(REPO, join(appDir, "node_modules", "approute"), "dir");
  execFileSync(process.execPath, [join(REPO, "bin", "approute.js"), "build", appDir], { stdio: "inherit" });
}
const profiles = join(WORK, "profiles");
mkdirSync(profiles, { recursive: true });
const before = new Set(existsSync(profiles) ? readdirSync(profiles) : []);
const port = await freePort();
const started = performance.now();
const serve =
  peer === "approute"
    ? [join(REPO, "bin", "approute.js"), "start", appDir, "-p", String(port), "-H", "127.0.0.1"]
    : // The peers have no signal handler; this one makes SIGINT a normal exit so the profile is written.
      [
        "--import",
        "data:text/javascript,process.on('SIGINT',()=>process.exit(0))",
        join(BENCH, "peers", `${peer}.mjs`),
      ];
const child = spawnPinned(0, [process.execPath, "--cpu-prof", `--cpu-prof-dir=${profiles}`, ...serve], {
  env: { PORT: String(port) },
});
await waitFor200(`http://127.0.0.1:${port}${ENDPOINTS.hello.path}`, child, started);
const result = await runWrk({
  core: 1,
  url: `http://127.0.0.1:${port}${ep.path}`,
  seconds,
  connections: 64,
  script: ep.script,
  headers: ep.headers,
});
console.log(
  `${peer} ${endpoint}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(2)} ms (under the profiler)`,
);
child.kill("SIGINT");
await child.exited;
const file = readdirSync(profiles).find((f) => !before.has(f) && f.endsWith(".cpuprofile"));
const profile = JSON.parse(readFileSync(join(profiles, file), "utf8"));
const self = new Map();
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++)
  dt.set(profile.samples[i], (dt.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
let total = 0;
for (const node of profile.nodes) {
  const t = dt.get(node.id) ?? 0;
  total += t;
  const f = node.callFrame;
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|dist|src)\//, "$1/")}:${f.lineNumber + 1}` : "";
  const key = `${f.functionName || "(anonymous)"} ${where}`;
  self.set(key, (self.get(key) ?? 0) + t);
}
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 30));
console.log(`profile: ${join("bench/.work/profiles", file)}\nself time, top ${top.length}:`);
for (const [key, t] of top) console.log(`${((100 * t) / total).toFixed(1).padStart(5)}%  ${key}`);

/**
 * The src/ module a line of a bundled dist/ file comes from: esbuild marks where each module starts
 * with a `// src/...` comment line, so the nearest one above the line names it.
 */
const starts = new Map();
function sourceOf(url, line) {
  let marks = starts.get(url);
  if (marks === undefined) {
    marks = [];
    try {
      readFileSync(fileURLToPath(url), "utf8")
        .split("\n")
        .forEach((text, i) => {
          const m = text.match(/^\/\/ (src\/\S+)$/);
          if (m) marks.push([i, m[1]]);
        });
    } catch {}
    starts.set(url, marks);
  }
  let found = url.slice(url.lastIndexOf("/dist/") + 6);
  for (const [at, name] of marks) {
    if (at > line) break;
    found = name;
  }
  return found;
}

/** Which part of the stack a profile node belongs to. */
function area(frame) {
  const { url, functionName: name } = frame;
  if (name === "(idle)") return null;
  if (name === "(garbage collector)" || name === "(program)") return name;
  if (url.includes("async_hooks")) return "async_hooks (AsyncLocalStorage)";
  if (url.includes("undici")) return "undici (global Request/Response/Headers)";
  if (url.includes("@edge-runtime/cookies")) return "@edge-runtime/cookies";
  if (url.includes("/dist/")) return `approute ${sourceOf(url, frame.lineNumber)}`;
  if (url.includes("/.approute/server/") || url.includes("/peers/")) return "route / peer code";
  if (url.includes("node_modules/")) return url.slice(url.lastIndexOf("node_modules/") + 13).split("/")[0];
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/").pop()}`;
  return url === "" ? `native ${name}` : "other";
}
const areas = new Map();
let busy = 0;
for (const node of profile.nodes) {
  const key = area(node.callFrame);
  const t = dt.get(node.id) ?? 0;
  if (key === null) continue;
  busy += t;
  areas.set(key, (areas.get(key) ?? 0) + t);
}
console.log("\nby area, share of busy time:");
for (const [key, t] of [...areas.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${((100 * t) / busy).toFixed(1).padStart(5)}%  ${key}`);
