// `node bench/ab-response.mjs [seconds]`: A/B of the Response binding inside one approute server.
// Serves tests/fixtures/response-bindings, where /bound/<case> builds its answer with the Response
// approute compiles into route modules and /global/<case> with the process-wide undici Response,
// then loads each with wrk and compares server CPU time per request (steady on a busy machine).

import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuSeconds, freePort, spawnPinned, stop, waitFor200 } from "./lib/proc.mjs";
import { runWrk } from "./lib/wrk.mjs";

const BENCH = fileURLToPath(new URL(".", import.meta.url));
const REPO = join(BENCH, "..");
const seconds = Number(process.argv[2] ?? 5);
const dir = join(BENCH, ".work", "ab-response");
rmSync(dir, { recursive: true, force: true });
cpSync(join(REPO, "tests", "fixtures", "response-bindings"), dir, { recursive: true });
mkdirSync(join(dir, "node_modules"));
symlinkSync(REPO, join(dir, "node_modules", "approute"), "dir");
execFileSync(process.execPath, [join(REPO, "bin", "approute.js"), "build", dir], { stdio: "ignore" });
const port = await freePort();
const started = performance.now();
const child = spawnPinned(0, [
  process.execPath,
  join(REPO, "bin", "approute.js"),
  "start",
  dir,
  "-p",
  String(port),
  "-H",
  "127.0.0.1",
]);
await waitFor200(`http://127.0.0.1:${port}/bound/json`, child, started);
for (const name of ["json", "text", "json-init"]) {
  for (const kind of ["global", "bound", "global", "bound"]) {
    const url = `http://127.0.0.1:${port}/${kind}/${name}`;
    await runWrk({ core: 1, url, seconds: 1, connections: 64 });
    const before = cpuSeconds(child.pid);
    const r = await runWrk({ core: 1, url, seconds, connections: 64 });
    const cpu = ((cpuSeconds(child.pid) - before) * 1e6) / r.requests;
    console.log(
      `${name.padEnd(10)} ${kind.padEnd(7)} ${r.rps.toFixed(0).padStart(7)} req/s  ${cpu.toFixed(1)} µs CPU/req  p99 ${r.p99.toFixed(2)} ms`,
    );
  }
}
await stop(child);
