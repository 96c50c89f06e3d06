// Builds dist/ from src/. Run by `npm install` (prepare) and `npm test`.
//
// 1. tsc writes the declarations (dist/**/*.d.ts), which the package's "types" conditions point at.
// 2. esbuild bundles the JavaScript: one output file per public entry (package.json "exports", the
//    CLI and the "#deps/*" targets) at the path "exports" names, with the code they share split into
//    dist/chunks/. A server then loads about 30 files instead of ~70 modules, which is a large
//    part of its start-up time (ESM resolution and compilation per module). Every entry still shares
//    one copy of each module, so classes and stores stay single across entries (instanceof holds).
//    "#deps/*" stay external: they resolve at run time through package.json "imports" conditions
//    (node → CommonJS require, default → import for bundlers and other runtimes).
//    The modules that load code by path or need TCP (cache-handlers, redis-handler) stay separate
//    files reached through "#internal/*": `approute build --target worker` swaps them for stand-ins
//    by file path, which it can only do while they are files of their own.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { relative, resolve } from "node:path";
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
try {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints,
    outdir: "dist",
    outbase: "src",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    external: ["#deps/*", "#internal/*"],
    plugins: [separate],
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: "linked",
    // The sources ship in src/ next to dist/; the maps point at them rather than embedding them.
    sourcesContent: false,
    logLevel: "warning",
  });
} catch {
  // esbuild has printed the errors.
  process.exit(1);
}
