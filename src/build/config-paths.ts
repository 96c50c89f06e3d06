/**
 * Next evaluates `next.config` in place, so `__dirname`, `__filename`, `import.meta.url` and
 * `require.resolve("./…")` there name the project; approute compiles the config into the build
 * output, where they would name the output. This plugin pins them to the source file (a common case:
 * `cacheHandler: require.resolve("./cache-handler.js")`, as Next's docs write it). Build time only.
 * @module
 */
import { readFile } from "node:fs/promises";
import { dirname, extname } from "node:path";
import { pathToFileURL } from "node:url";
import type { Loader, Plugin } from "./esbuild.js";

const LOADERS: Record<string, Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
};

/** A textual rewrite of the config source: it is a small file, and the names are distinctive. */
export function pinConfigPaths(source: string, file: string): string {
  const url = JSON.stringify(pathToFileURL(file).href);
  let text = source;
  if (text.includes("import.meta.url")) text = text.replaceAll("import.meta.url", url);
  if (text.includes("require.resolve("))
    text = text.replaceAll(
      "require.resolve(",
      `process.getBuiltinModule("node:module").createRequire(${url}).resolve(`,
    );
  if (/\b__(?:dirname|filename)\b/.test(text))
    text = `var __filename = ${JSON.stringify(file)}, __dirname = ${JSON.stringify(dirname(file))};\n${text}`;
  return text;
}

/** The esbuild plugin applying {@link pinConfigPaths} to `configFile` (absolute). */
export function configPathsPlugin(configFile: string): Plugin {
  const escaped = configFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    name: "approute-config-paths",
    setup(build) {
      build.onLoad({ filter: new RegExp(`^${escaped}$`) }, async (args) => ({
        contents: pinConfigPaths(await readFile(args.path, "utf8"), args.path),
        loader: LOADERS[extname(args.path)] ?? "js",
      }));
    },
  };
}
