// Builds dist/ from src/. Run by `npm install` (prepare) and `npm test`.
//
// 1. tsc writes the declarations (dist/**/*.d.ts), which the package's "types" conditions point at.
// 2. esbuild bundles the JavaScript in layers (see LAYERS below): the runtime a build's routes
//    import as one file, dist/hub.js; the Node server and `approute start` over it, dist/hub-node.js;
//    the CLI, the build and the testing helpers split as usual, taking runtime modules from the
//    layers. Each public entry (package.json "exports") is a small file over its layer at the path
//    "exports" names. A server loads ~17 files instead of ~35 chunks or ~70 modules: ESM resolution
//    and loading per file is most of what start-up costs beyond Node itself (#6).
//    "#deps/*" stay external: they resolve at run time through package.json "imports" conditions
//    (node → CommonJS require, default → import for bundlers and other runtimes).
//    The modules that load code by path or need TCP (cache-handlers, redis-handler) stay separate
//    files reached through "#internal/*": `approute build --target worker` swaps them for stand-ins
//    by file path, which it can only do while they are files of their own.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

const tsc = require.resolve("typescript/bin/tsc");
const types = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--emitDeclarationOnly"], {
  stdio: "inherit",
  cwd: root,
});
if (types.status !== 0) process.exit(types.status ?? 1);

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const targets = new Set(["./dist/cli/main.js"]);
const collect = (value) => {
  if (typeof value === "string") {
    if (value.startsWith("./dist/") && value.endsWith(".js")) targets.add(value);
  } else if (value && typeof value === "object") {
    for (const inner of Object.values(value)) collect(inner);
  }
};
collect(pkg.exports);
collect(pkg.imports);
// dist/hub.js and dist/hub-node.js are generated from the runtime's modules below, not from a source file of its own.
targets.delete("./dist/hub.js");
targets.delete("./dist/hub-node.js");
const entryPoints = [...targets].map((target) =>
  target.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"),
);

/** Relative imports of these sources become "#internal/<name>" (package.json "imports"). */
const SEPARATE = new Map([
  ["src/runtime/cache-handlers.ts", "#internal/cache-handlers"],
  ["src/cache/redis-handler.ts", "#internal/redis-handler"],
]);
const separate = {
  name: "approute-separate-modules",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const source = relative(root, resolve(args.resolveDir, args.path))
        .replaceAll("\\", "/")
        .replace(/\.js$/, ".ts");
      const specifier = SEPARATE.get(source);
      return specifier === undefined ? undefined : { path: specifier, external: true };
    });
  },
};

const esbuild = require("esbuild");
const common = {
  absWorkingDir: root,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["#deps/*", "#internal/*"],
  logLevel: "warning",
};

/**
 * Small ESM dependencies every server loads (the cookie jar, URLPattern, devalue — eight files on
 * its own), bundled into the hub rather than loaded file by file; they stay dependencies, pinned
 * by the lockfile. Every other package stays external.
 */
const BUNDLED = new Set(["@edge-runtime/cookies", "devalue", "urlpattern-polyfill"]);
const packageOf = (specifier) => specifier.split("/", specifier.startsWith("@") ? 2 : 1).join("/");
const packages = (bundled) => ({
  name: "approute-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./#]/ }, (args) => {
      if (args.kind === "entry-point" || args.path.startsWith("node:") || isBuiltin(args.path))
        return undefined;
      return bundled.has(packageOf(args.path)) ? undefined : { path: args.path, external: true };
    });
  },
});

const DEPS = entryPoints.filter((file) => file.startsWith("src/deps/"));
/** Loaded by commands, tests and programs that build: bundled with code splitting, as usual. */
const TOOLS = ["src/cli/main.ts", "src/index.ts", "src/testing/index.ts"];
/** Serving on Node: `approute start`/`dev` (src/cli/start.ts) and the `approute/node` adapter. */
const SERVER = ["src/cli/start.ts", "src/adapters/node/index.ts"];
/** What a build's entry and its routes import (approute/app, approute/server, …). */
const RUNTIME = entryPoints.filter(
  (file) => !TOOLS.includes(file) && !SERVER.includes(file) && !DEPS.includes(file) && !SEPARATE.has(file),
);
/**
 * Layers, each bundled as one file (`hub` also as the few chunks it shares with the separate modules):
 * a server loads a handful of large files rather than dozens of chunks, which is most of what its
 * start-up costs beyond Node itself (#6). Each layer holds every module of its graph that a lower
 * layer does not, each module's exports under a namespace of its own; upper layers and the tools
 * import a lower layer's modules from it, so a process holds one copy of each module (one request
 * store, one set of classes). Public entries are small files over their layer at the paths
 * package.json "exports" names. `--target worker` bundles the hub (the routes' graph) only.
 */
const LAYERS = [
  { name: "hub", entries: RUNTIME, separate: [...SEPARATE.keys(), ...DEPS] },
  { name: "hub-node", entries: SERVER, separate: [] },
];
const srcPath = (file) => relative(root, resolve(root, file)).replaceAll("\\", "/");

/** Where each module bundled into a layer lives: layer name and namespace id. */
const placed = new Map();
/** The names each module exports. */
const exportsOf = new Map();

/** A module that re-exports one layer namespace under the module's own names. */
function reexport(file, from) {
  const names = exportsOf.get(file) ?? [];
  const named = names.filter((name) => name !== "default");
  return [
    `import { ${placed.get(file).id} as m } from ${JSON.stringify(from)};`,
    named.length > 0 ? `export const { ${named.join(", ")} } = m;` : "",
    names.includes("default") ? "export default m.default;" : "",
  ]
    .filter(Boolean)
    .join("\n");
}

/** Imports of modules already placed in a layer come from that layer ("#internal/<layer>"). */
const fromLayers = {
  name: "approute-layer-imports",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const file = srcPath(resolve(args.resolveDir, args.path).replace(/\.js$/, ".ts"));
      return placed.has(file) ? { path: file, namespace: "approute-layer-import" } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: "approute-layer-import" }, (args) => ({
      contents: reexport(args.path, `#internal/${placed.get(args.path).layer}`),
      resolveDir: root,
      loader: "js",
    }));
  },
};
const output = { sourcemap: "linked", sourcesContent: false, chunkNames: "chunks/[name]-[hash]" };

try {
  for (const layer of LAYERS) {
    const plugins = [separate, fromLayers, packages(BUNDLED)];
    // The layer's own modules (not in a lower layer), and the names each exports.
    const graph = await esbuild.build({
      ...common,
      entryPoints: layer.entries,
      outdir: "dist",
      write: false,
      metafile: true,
      plugins,
    });
    const modules = Object.keys(graph.metafile.inputs)
      .filter((file) => file.startsWith("src/"))
      .sort();
    const probe = await esbuild.build({
      ...common,
      entryPoints: modules,
      outdir: "dist",
      outbase: "src",
      splitting: true,
      write: false,
      metafile: true,
      plugins,
    });
    for (const out of Object.values(probe.metafile.outputs)) {
      if (out.entryPoint !== undefined) exportsOf.set(srcPath(out.entryPoint), out.exports);
    }
    const ids = modules.map((_, i) => `${layer.name.replaceAll("-", "_")}${i}`);
    const source = modules.map((file, i) => `export * as ${ids[i]} from "./${file}";`).join("\n");
    const virtual = {
      name: "approute-layer",
      setup(b) {
        b.onResolve({ filter: /^approute:layer$/ }, () => ({
          path: layer.name,
          namespace: "approute-layer",
        }));
        b.onLoad({ filter: /.*/, namespace: "approute-layer" }, () => ({
          contents: source,
          resolveDir: root,
          loader: "js",
        }));
      },
    };
    await esbuild.build({
      ...common,
      ...output,
      entryPoints: [
        { in: "approute:layer", out: layer.name },
        ...layer.separate.map((file) => ({ in: file, out: file.replace(/^src\//, "").replace(/\.ts$/, "") })),
      ],
      outdir: "dist",
      splitting: true,
      plugins: [virtual, ...plugins],
    });
    for (const [i, file] of modules.entries()) placed.set(file, { layer: layer.name, id: ids[i] });
    // The layer's public entries, over it.
    for (const file of layer.entries) {
      const out = resolve(root, file.replace(/^src\//, "dist/").replace(/\.ts$/, ".js"));
      const from = relative(dirname(out), resolve(root, `dist/${layer.name}.js`)).replaceAll("\\", "/");
      writeFileSync(out, `${reexport(file, from.startsWith(".") ? from : `./${from}`)}\n`);
    }
  }
  // The tools, split as usual; packages stay external (they are not on a server's path).
  await esbuild.build({
    ...common,
    ...output,
    entryPoints: TOOLS,
    outdir: "dist",
    outbase: "src",
    splitting: true,
    plugins: [separate, fromLayers, packages(new Set())],
  });
} catch (error) {
  // esbuild has printed its errors; anything else is this script's.
  if (!error?.errors) console.error(error);
  process.exit(1);
}
