// Router microbenchmark: matches/s for static hits, dynamic hits and misses as the route count grows,
// approute's router side by side with the routers of Fastify (find-my-way), h3 (rou3) and Hono (its
// default SmartRouter: RegExpRouter, falling back to TrieRouter), fed the same routes in their own
// syntax. Run by bench/run.mjs pinned to the server core; prints one JSON line.
//
// Each router is measured in a process of its own (as it runs in its own server: its heap, its
// garbage, its cache lines), and the routers take turns, one process each, ROUNDS times.
//
// node router-bench.mjs [sizes] [seconds]         all routers, the report's JSON
// node router-bench.mjs [sizes] [seconds] <name>  one turn of one router (used by the above)
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const SIZES = (process.argv[2] ?? "100,1000,10000").split(",").map(Number);
const SECONDS = Number(process.argv[3] ?? 0.5);
const ONE = process.argv[4];
const NAMES = ["approute", "find-my-way", "rou3", "hono"];
const ROUNDS = 3;
const self = fileURLToPath(import.meta.url);

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

/** Router `name` over route list `list`, as `match(path) → route index or -1`. */
async function router(name, list) {
  const pattern = (segments) =>
    segments.map((s) => (s.kind === "static" ? `/${s.value}` : `/:${s.name}`)).join("");
  const bench = createRequire(new URL("../package.json", import.meta.url));
  switch (name) {
    case "approute": {
      // The router is internal (dist/ bundles it into a shared chunk), so compile src/core/router.ts
      // on its own, with the same esbuild settings as the published build, and measure that.
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
      const ours = createRouter(list);
      return (path) => {
        const m = ours.match(path);
        return m === null ? -1 : m.route.data;
      };
    }
    case "find-my-way": {
      const fmw = bench("find-my-way")();
      for (const [i, route] of list.entries()) fmw.on("GET", pattern(route.segments), () => i);
      return (path) => {
        const m = fmw.find("GET", path);
        return m === null ? -1 : m.handler();
      };
    }
    case "rou3": {
      const rou3 = await import(bench.resolve("rou3"));
      const h3 = rou3.createRouter();
      for (const [i, route] of list.entries()) rou3.addRoute(h3, "GET", pattern(route.segments), i);
      return (path) => {
        const m = rou3.findRoute(h3, "GET", path);
        return m === undefined ? -1 : m.data;
      };
    }
    case "hono": {
      const { SmartRouter } = await import(bench.resolve("hono/router/smart-router"));
      const { RegExpRouter } = await import(bench.resolve("hono/router/reg-exp-router"));
      const { TrieRouter } = await import(bench.resolve("hono/router/trie-router"));
      const hono = new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] });
      for (const [i, route] of list.entries()) hono.add("GET", pattern(route.segments), i);
      return (path) => {
        const [found] = hono.match("GET", path);
        return found.length === 0 ? -1 : found[0][0];
      };
    }
  }
  throw new Error(`unknown router ${name}`);
}

/** Matches/s of `match` over `paths` for `seconds` of this thread's CPU time; checks every answer. */
function measure(match, paths, expected, seconds) {
  for (let i = 0; i < 4096; i++) match(paths[i & 1023]); // warm up
  // CPU time of this thread, not wall time: other processes on the core do not count against us.
  let count = 0;
  let wrong = 0;
  const started = process.cpuUsage();
  const budget = seconds * 1e6;
  let elapsed = 0;
  while (elapsed < budget) {
    for (let i = 0; i < 1024; i++) if (match(paths[i]) !== expected[i]) wrong++;
    count += 1024;
    const used = process.cpuUsage(started);
    elapsed = used.user + used.system;
  }
  if (wrong !== 0) throw new Error(`router bench: ${wrong} wrong answers`);
  return count / (elapsed / 1e6);
}

/** The route index each path must match (-1: none), from the way `routes` and `paths` number them. */
function answers(list, kind) {
  return list.map((path) => {
    if (kind === "miss") return -1;
    const m = path.match(/^\/g\d+\/[sd](\d+)\//);
    return Number(m[1]);
  });
}

const KINDS = ["static", "dynamic", "miss"];

if (ONE !== undefined) {
  // One turn: every size and kind for router ONE, SECONDS / ROUNDS each.
  const turn = {};
  for (const n of SIZES) {
    // Each size gets a fresh router; the previous one is garbage by then.
    const match = await router(ONE, routes(n));
    turn[n] = {};
    for (const kind of KINDS) {
      // Flat strings, as a request's pathname is (template literals build ropes, slower to read).
      const list = JSON.parse(JSON.stringify(paths(n, kind)));
      turn[n][kind] = measure(match, list, answers(list, kind), SECONDS / ROUNDS);
    }
  }
  console.log(JSON.stringify(turn));
} else {
  const rates = {}; // rates[name][n][kind] = one figure per turn
  for (let round = 0; round < ROUNDS; round++)
    for (const name of NAMES) {
      const out = spawnSync(process.execPath, [self, SIZES.join(","), String(SECONDS), name], {
        encoding: "utf8",
      });
      if (out.status !== 0) throw new Error(`router bench (${name}) failed:\n${out.stderr}`);
      const turn = JSON.parse(out.stdout.trim().split("\n").pop());
      for (const n of SIZES)
        for (const kind of KINDS) (((rates[name] ??= {})[n] ??= {})[kind] ??= []).push(turn[n][kind]);
    }
  const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
  const result = SIZES.map((n) => {
    const row = { routes: n, peers: {} };
    for (const kind of KINDS) {
      row[kind] = median(rates.approute[n][kind]);
      for (const name of NAMES.slice(1)) (row.peers[name] ??= {})[kind] = median(rates[name][n][kind]);
    }
    return row;
  });
  console.log(JSON.stringify(result));
}
