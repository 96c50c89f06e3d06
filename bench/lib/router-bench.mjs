// Router microbenchmark: matches/s for static hits, dynamic hits and misses as the route count grows.
// Run by bench/run.mjs pinned to the server core; prints one JSON line.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

// The router is internal (dist/ bundles it into a shared chunk), so compile src/core/router.ts on
// its own, with the same esbuild settings as the published build, and measure that.
const outfile = fileURLToPath(new URL("../.work/router-bench-router.mjs", import.meta.url));
createRequire(import.meta.url)("esbuild").buildSync({
  entryPoints: [fileURLToPath(new URL("../../src/core/router.ts", import.meta.url))],
  outfile,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});
const { createRouter } = await import(outfile);

const SIZES = (process.argv[2] ?? "100,1000,10000").split(",").map(Number);
const SECONDS = Number(process.argv[3] ?? 0.5);

/** `n` routes: half static (`/s<i>/items/list`), half dynamic (`/d<i>/[id]/edit`). */
function routes(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const group = `g${i % 50}`;
    if (i % 2 === 0) out.push([group, `s${i}`, "items", "list"].map((value) => ({ kind: "static", value })));
    else
      out.push([
        { kind: "static", value: group },
        { kind: "static", value: `d${i}` },
        { kind: "dynamic", name: "id" },
        { kind: "static", value: "edit" },
      ]);
  }
  return out.map((segments, i) => ({ segments, file: `app/${i}/route.ts`, data: i }));
}

function paths(n, kind) {
  const out = [];
  for (let k = 0; k < 1024; k++) {
    const i = (k * 7919) % n;
    const s = i - (i % 2);
    const d = s + 1 < n ? s + 1 : 1;
    if (kind === "static") out.push(`/g${s % 50}/s${s}/items/list`);
    else if (kind === "dynamic") out.push(`/g${d % 50}/d${d}/${1000 + k}/edit`);
    else out.push(`/g${s % 50}/s${s}/items/missing-${k}`);
  }
  return out;
}

function measure(router, list, expectHit) {
  let sink = 0;
  for (let i = 0; i < 20_000; i++) sink += router.match(list[i & 1023]) === null ? 0 : 1; // warm up
  // CPU time of this thread, not wall time: other processes on the core do not count against us.
  let count = 0;
  const started = process.cpuUsage();
  const budget = SECONDS * 1e6;
  let elapsed = 0;
  while (elapsed < budget) {
    for (let i = 0; i < 100_000; i++) {
      const m = router.match(list[i & 1023]);
      sink += m === null ? 0 : 1;
    }
    count += 100_000;
    const used = process.cpuUsage(started);
    elapsed = used.user + used.system;
  }
  const hits = sink - 20_000 * (expectHit ? 1 : 0);
  if (expectHit ? hits !== count : sink !== 0) throw new Error("router bench: unexpected match results");
  return count / (elapsed / 1e6);
}

const result = [];
for (const n of SIZES) {
  const router = createRouter(routes(n));
  result.push({
    routes: n,
    static: measure(router, paths(n, "static"), true),
    dynamic: measure(router, paths(n, "dynamic"), true),
    miss: measure(router, paths(n, "miss"), false),
  });
}
console.log(JSON.stringify(result));
