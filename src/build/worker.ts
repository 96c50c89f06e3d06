/**
 * `approute build --target worker`: Workers runtimes (workerd / Cloudflare Workers) load one module
 * graph without a node_modules folder, so after the normal build the `{ fetch }` entry is bundled
 * with approute's runtime and the app's dependencies into a single ES module.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileError } from "./compile.js";
import { build, type Plugin } from "./esbuild.js";

export interface WorkerBundle {
  /** Absolute path of the bundled module. */
  file: string;
  bytes: number;
}

/**
 * The Redis cache handler speaks TCP through Node's `net`, which Workers do not offer; the bundle
 * gets a stand-in that fails with a clear message if a Redis URL is configured, instead of failing
 * to bundle node-redis at all.
 */
function noRedisPlugin(): Plugin {
  return {
    name: "approute-worker-no-redis",
    setup(b) {
      b.onLoad({ filter: /[\\/]cache[\\/]redis-handler\.[jt]s$/ }, () => ({
        loader: "js",
        contents: `export function createRedisHandler() {
  throw new Error("The Redis cache handler needs Node's TCP sockets and is not part of a Workers bundle. Unset APPROUTE_REDIS_URL (and approute.redis in next.config); the bundle then uses the embedded memory cache.");
}\n`,
      }));
      // The project's @opentelemetry/api is resolved by path at start; public/ is read from disk.
      // A Workers bundle can do neither: the platform traces requests and serves static assets.
      b.onLoad({ filter: /[\\/]runtime[\\/]otel-api\.[jt]s$/ }, () => ({
        loader: "js",
        contents: "export async function loadOtelApi() {\n  return undefined;\n}\n",
      }));
      b.onLoad({ filter: /[\\/]runtime[\\/]public-files\.[jt]s$/ }, () => ({
        loader: "js",
        contents: "export function createPublicFiles() {\n  return undefined;\n}\n",
      }));
      // Custom cacheHandlers are imported from paths at start; a Workers bundle cannot import by path.
      b.onLoad({ filter: /[\\/]runtime[\\/]cache-handlers\.[jt]s$/ }, () => ({
        loader: "js",
        contents: `export async function loadCacheHandlers() {
  throw new Error("cacheHandlers modules are loaded by path at start, which a Workers bundle cannot do. Remove cacheHandlers from next.config for the worker target.");
}
export async function loadIncrementalCacheHandler() {
  throw new Error("The cacheHandler class is loaded by path at start, which a Workers bundle cannot do. Remove cacheHandler from next.config for the worker target.");
}\n`,
      }));
    },
  };
}

/** The root of the approute package this module belongs to (the folder of its package.json). */
function packageRoot(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, "utf8")).name === "approute") return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Bundles approute from the TypeScript sources it ships (src/) rather than from dist/: dist/ holds
 * the runtime as one file per layer (scripts/build-lib.mjs), which a bundler cannot tree-shake,
 * while the sources let esbuild keep only what the app's routes use. Falls back to dist/ when the
 * sources are not there.
 */
function fromSourcesPlugin(): Plugin {
  const root = packageRoot();
  const exportsMap =
    root === undefined
      ? {}
      : (JSON.parse(readFileSync(join(root, "package.json"), "utf8")).exports as Record<string, unknown>);
  return {
    name: "approute-worker-from-sources",
    setup(b) {
      b.onResolve({ filter: /^approute(\/.*)?$/ }, (args) => {
        if (root === undefined) return undefined;
        const target = exportsMap[`.${args.path.slice("approute".length)}`] as
          | { default?: string }
          | undefined;
        const dist = target?.default;
        if (typeof dist !== "string" || !dist.startsWith("./dist/")) return undefined;
        const source = resolve(root, dist.replace(/^\.\/dist\//, "src/").replace(/\.js$/, ".ts"));
        return existsSync(source) ? { path: source } : undefined;
      });
      // The `#deps/*` modules only wrap a dependency (ua-parser-js, path-to-regexp: CommonJS, which
      // esbuild keeps whenever its module is in the graph). Side-effect free, they are dropped with
      // the dependency when no route uses what needs them (userAgent() and its 55 kB parser, …).
      // Same for the URLPattern polyfill's class module, whose top level only defines the class.
      b.onResolve({ filter: /^(?:#deps\/|urlpattern-polyfill\/urlpattern$)/ }, async (args) => {
        if (args.pluginData === RESOLVING) return undefined;
        const found = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          with: args.with,
          pluginData: RESOLVING,
        });
        return found.errors.length > 0
          ? undefined
          : { path: found.path, external: found.external, sideEffects: false };
      });
    },
  };
}

const RESOLVING = Symbol("approute-resolving");

/** Default output file of the worker bundle. */
export function workerFile(root: string): string {
  return join(root, ".approute", "worker", "index.mjs");
}

/**
 * Bundles `<serverDir>/entry.mjs` into `outFile`. `node:*` imports stay as they are (the Workers
 * `nodejs_compat` flag provides `node:async_hooks`, which approute's request context uses).
 */
export async function bundleWorker(
  root: string,
  serverDir: string,
  outFile = workerFile(root),
): Promise<WorkerBundle> {
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [join(serverDir, "entry.mjs")],
      outfile: outFile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      mainFields: ["module", "main"],
      conditions: ["workerd", "worker", "import", "default"],
      // As Next inlines it in edge bundles: code picking its runtime (instrumentation.ts) sees "edge".
      define: { "process.env.NEXT_RUNTIME": '"edge"' },
      external: ["node:*"],
      metafile: true,
      logLevel: "silent",
      sourcemap: "linked",
      legalComments: "none",
      plugins: [fromSourcesPlugin(), noRedisPlugin()],
    });
    const meta = result.metafile.outputs[relative(root, outFile).split("\\").join("/")];
    return { file: outFile, bytes: meta?.bytes ?? 0 };
  } catch (error) {
    const errors = (error as { errors?: import("esbuild").Message[] }).errors;
    if (Array.isArray(errors)) throw compileError(errors, root);
    throw error;
  }
}
