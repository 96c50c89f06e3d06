/**
 * `approute build --target worker`: Workers runtimes (workerd / Cloudflare Workers) load one module
 * graph without a node_modules folder, so after the normal build the `{ fetch }` entry is bundled
 * with approute's runtime and the app's dependencies into a single ES module.
 * @module
 */
import { join, relative } from "node:path";
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
      b.onLoad({ filter: /[\\/]cache[\\/]redis-handler\.js$/ }, () => ({
        loader: "js",
        contents: `export function createRedisHandler() {
  throw new Error("The Redis cache handler needs Node's TCP sockets and is not part of a Workers bundle. Unset APPROUTE_REDIS_URL (and approute.redis in next.config); the bundle then uses the embedded memory cache.");
}\n`,
      }));
      // Custom cacheHandlers are imported from paths at start; a Workers bundle cannot import by path.
      b.onLoad({ filter: /[\\/]runtime[\\/]cache-handlers\.js$/ }, () => ({
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
      external: ["node:*"],
      metafile: true,
      logLevel: "silent",
      sourcemap: "linked",
      legalComments: "none",
      plugins: [noRedisPlugin()],
    });
    const meta = result.metafile.outputs[relative(root, outFile).split("\\").join("/")];
    return { file: outFile, bytes: meta?.bytes ?? 0 };
  } catch (error) {
    const errors = (error as { errors?: import("esbuild").Message[] }).errors;
    if (Array.isArray(errors)) throw compileError(errors, root);
    throw error;
  }
}
