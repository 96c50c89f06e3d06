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
// Peers: the routers of Fastify (find-my-way), h3 (rou3) and Hono (its default SmartRouter, which
// picks RegExpRouter and falls back to TrieRouter), fed the same routes in their own syntax.
const bench = createRequire(new URL("../package.json", import.meta.url));
const findMyWay = bench("find-my-way");
const rou3 = await import(bench.resolve("rou3"));
const { SmartRouter } = await import(bench.resolve("hono/router/smart-router"));
const { RegExpRouter } = await import(bench.resolve("hono/router/reg-exp-router"));
const { TrieRouter } = await import(bench.resolve("hono/router/trie-router"));

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

/** The four routers over route list `list`, each as `match(path) → route index or -1`. */
function routers(list) {
  const pattern = (segments, style) =>
    segments
      .map((s) => (s.kind === "static" ? `/${s.value}` : style === "colon" ? `/:${s.name}` : "/:id"))
      .join("");
  const ours = createRouter(list);
  const fmw = findMyWay();
  const h3 = rou3.createRouter();
  const hono = new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] });
  for (const [i, route] of list.entries()) {
    const path = pattern(route.segments, "colon");
    fmw.on("GET", path, () => i);
    rou3.addRoute(h3, "GET", path, i);
    hono.add("GET", path, i);
  }
  return {
    approute: (path) => {
      const m = ours.match(path);
      return m === null ? -1 : m.route.data;
    },
    "find-my-way": (path) => {
      const m = fmw.find("GET", path);
      return m === null ? -1 : m.handler();
    },
    rou3: (path) => {
      const m = rou3.findRoute(h3, "GET", path);
      return m === undefined ? -1 : m.data;
    },
    hono: (path) => {
      const [found] = hono.match("GET", path);
      return found.length === 0 ? -1 : found[0][0];
    },
  };
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

const ROUNDS = 3;
const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
const result = [];
for (const n of SIZES) {
  const all = routers(routes(n));
  const row = { routes: n, peers: {} };
  for (const kind of ["static", "dynamic", "miss"]) {
    // Flat strings, as a request's pathname is (template literals build rope strings, slower to read).
    const list = JSON.parse(JSON.stringify(paths(n, kind)));
    const expected = answers(list, kind);
    const rates = Object.fromEntries(Object.keys(all).map((name) => [name, []]));
    // The routers take turns, so each round's figures share the host's state.
    for (let round = 0; round < ROUNDS; round++)
      for (const [name, match] of Object.entries(all))
        rates[name].push(measure(match, list, expected, SECONDS / ROUNDS));
    row[kind] = median(rates.approute);
    for (const name of Object.keys(all))
      if (name !== "approute") (row.peers[name] ??= {})[kind] = median(rates[name]);
  }
  result.push(row);
}
console.log(JSON.stringify(result));
