/**
 * Compiles route files (and what they import) with esbuild into ESM chunks. User dependencies stay
 * external and load from the project's node_modules at run time; `next/*` becomes `approute/*`.
 * @module
 */

import { realpathSync } from "node:fs";
import { join, relative } from "node:path";
import { ApprouteError, ErrorCode, isApprouteError } from "../core/errors.js";
import { configPathsPlugin } from "./config-paths.js";
import {
  type BuildFailure,
  type BuildOptions,
  build,
  formatMessagesSync,
  type Message,
  type Metafile,
  type PartialMessage,
  type Plugin,
} from "./esbuild.js";
import { INJECT_GLOBALS, injectGlobalsPlugin } from "./inject-globals.js";
import { missingPackages } from "./installed.js";
import { markerPackagesPlugin } from "./marker-packages.js";
import { nextAliasPlugin } from "./next-alias.js";
import { reactServerPlugin, relinkReactServer } from "./react-server.js";
import { relinkSourceUrls } from "./source-url.js";
import { storeUsageAnalyser } from "./store-usage.js";
import { cacheDirectivePlugin } from "./use-cache.js";

export interface CompileInput {
  root: string;
  outDir: string;
  /** Entry name → absolute source path. */
  entries: Record<string, string>;
  minify?: boolean;
  plugins?: Plugin[];
  define?: Record<string, string>;
  /** Absolute path of `next.config.*`, whose paths stay those of the source (config-paths.ts). */
  configFile?: string;
  /** next.config `serverExternalPackages`: resolved by Node as installed (react-server.ts). */
  serverExternalPackages?: readonly string[];
}

/** Outputs per entry name: the emitted file relative to outDir. */
export interface CompileOutput {
  files: Record<string, string>;
  warnings: Message[];
  /** Total bytes emitted. */
  bytes: number;
  /**
   * Per entry name: bytes of its own chunk (shared chunks not counted), its export names, and whether
   * its code can reach the request store (see store-usage.ts).
   */
  entryInfo: Record<string, { bytes: number; exports: string[]; requestStore: boolean }>;
  /** Source files that went into the build (relative to root), for dev watching. */
  inputs: string[];
  /** Every file esbuild wrote, source maps included (absolute paths). */
  outputs: string[];
}

/** Turns esbuild's failure into one ApprouteError naming the first file and line. */
export function compileError(messages: Message[], root: string): ApprouteError {
  const first = messages[0];
  const text = formatMessagesSync(messages, { kind: "error", color: false }).join("\n");
  const location = first?.location;
  return new ApprouteError(
    ErrorCode.COMPILE_FAILED,
    `Failed to compile${location ? ` ${location.file}:${location.line}:${location.column + 1}` : ""}: ${first?.text ?? "unknown error"}\n\n${text}`,
    {
      location: location
        ? { file: location.file, line: location.line, column: location.column + 1 }
        : { file: root },
      hint: "Fix the error above; the route keeps its last working build in dev.",
    },
  );
}

/** The first of the build's imports of packages that are not installed, as one ApprouteError. */
export function missingPackageError(messages: PartialMessage[]): ApprouteError {
  const first = messages[0]!;
  const place = first.location;
  const at = place?.line
    ? `${place.file}:${place.line}:${(place.column ?? 0) + 1}: `
    : place?.file
      ? `${place.file}: `
      : "";
  const more =
    messages.length > 1
      ? `\n\n${formatMessagesSync(messages, { kind: "error", color: false }).join("\n")}`
      : "";
  return new ApprouteError(ErrorCode.MODULE_NOT_FOUND, `${at}${first.text}${more}`, {
    location: place?.file
      ? { file: place.file, ...(place.line ? { line: place.line, column: (place.column ?? 0) + 1 } : {}) }
      : undefined,
    hint: first.notes?.[0]?.text,
  });
}

/** Files that failed to compile, from an esbuild failure. */
export function failedFiles(messages: Message[]): string[] {
  return [...new Set(messages.map((m) => m.location?.file).filter((f): f is string => Boolean(f)))];
}

/**
 * esbuild's ESM output has no `require`, so CommonJS code of the app that requires a module left
 * external (a `next.config.js` with `require("node:path")`, a helper requiring a package) would throw
 * "Dynamic require … is not supported". Such builds get this banner: a `require` made by
 * `createRequire` for the output file, resolving packages as Node resolves them for the project.
 */
export const REQUIRE_BANNER =
  'import { createRequire as __approuteCreateRequire } from "node:module";\nconst require = __approuteCreateRequire(import.meta.url);';

/** Whether some input calls `require()` on a module the bundle leaves external. */
function requiresExternal(metafile: Metafile): boolean {
  for (const input of Object.values(metafile.inputs))
    for (const imported of input.imports)
      if (imported.kind === "require-call" && imported.external) return true;
  return false;
}

/**
 * How `file` (relative to the working directory, as esbuild names it) is reached from an entry:
 * `[file, …, entry]` along the shortest import chain, found with a build in memory that lets
 * `client-only` through. Only run to explain a failed build; undefined when it cannot tell.
 */
async function importTrace(
  options: BuildOptions,
  file: string,
  entries: string[],
): Promise<string[] | undefined> {
  const letThrough: Plugin = {
    name: "approute-trace-client-only",
    setup(b) {
      b.onResolve({ filter: /^client-only$/ }, (args) => ({ path: args.path, external: true }));
    },
  };
  try {
    const { metafile } = await build({
      ...options,
      write: false,
      metafile: true,
      plugins: [letThrough, ...(options.plugins ?? [])],
    });
    const importers = new Map<string, string[]>();
    for (const [importer, meta] of Object.entries(metafile.inputs))
      for (const imported of meta.imports)
        if (!imported.external)
          importers.set(imported.path, [...(importers.get(imported.path) ?? []), importer]);
    const entrySet = new Set(entries);
    const via = new Map<string, string | null>([[file, null]]);
    for (let queue = [file]; queue.length > 0; ) {
      const next: string[] = [];
      for (const current of queue) {
        if (entrySet.has(current)) {
          const chain = [current];
          for (let step = via.get(current); step != null; step = via.get(step)) chain.unshift(step);
          return chain;
        }
        for (const importer of importers.get(current) ?? [])
          if (!via.has(importer)) {
            via.set(importer, current);
            next.push(importer);
          }
      }
      queue = next;
    }
  } catch {}
  return undefined;
}

export async function compile(input: CompileInput): Promise<CompileOutput> {
  const reactServer = reactServerPlugin(input.root, input.serverExternalPackages, input.configFile);
  const sources: { sourceUrls?: boolean } = {};
  const options = {
    absWorkingDir: input.root,
    entryPoints: input.entries,
    outdir: input.outDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    minify: input.minify ?? false,
    logLevel: "silent",
    plugins: [
      nextAliasPlugin(),
      markerPackagesPlugin(),
      ...(reactServer ? [reactServer] : []),
      cacheDirectivePlugin(input.root, sources),
      injectGlobalsPlugin(),
      ...(input.configFile ? [configPathsPlugin(input.configFile)] : []),
      ...(input.plugins ?? []),
    ],
    // Free `Response` references in user code bind to approute's lightweight Response (#6).
    inject: INJECT_GLOBALS,
    // CommonJS app code may read these; as in Node's ES modules they name the (output) module.
    define: { __dirname: "import.meta.dirname", __filename: "import.meta.filename", ...input.define },
    jsx: "automatic",
  } satisfies BuildOptions;
  try {
    let result = await build(options);
    // Rare (CommonJS app code): build again with a `require` in scope rather than pay for it always.
    if (requiresExternal(result.metafile))
      result = await build({ ...options, banner: { js: REQUIRE_BANNER } });
    if (reactServer) relinkReactServer(result.metafile, realpathSync(input.root));
    if (sources.sourceUrls) relinkSourceUrls(result.metafile, realpathSync(input.root));
    const missing = missingPackages(result.metafile, realpathSync(input.root), input.outDir);
    if (missing.length > 0) throw Object.assign(missingPackageError(missing), { messages: missing });
    const files: Record<string, string> = {};
    for (const name of Object.keys(input.entries)) files[name] = `${name}.mjs`;
    let bytes = 0;
    const entryInfo: CompileOutput["entryInfo"] = {};
    const storeUsage = storeUsageAnalyser(result.metafile, input.root, input.root);
    for (const [path, meta] of Object.entries(result.metafile.outputs)) {
      bytes += meta.bytes;
      const name = path.slice(path.lastIndexOf("/") + 1, -".mjs".length);
      if (meta.entryPoint && name in input.entries)
        entryInfo[name] = {
          bytes: meta.bytes,
          exports: meta.exports,
          requestStore: storeUsage.usesStore(path),
        };
    }
    return {
      files,
      warnings: result.warnings,
      bytes,
      entryInfo,
      inputs: Object.keys(result.metafile.inputs),
      // The metafile's paths are relative to the real working directory (symlinks resolved).
      outputs: Object.keys(result.metafile.outputs).map((path) => join(realpathSync(input.root), path)),
    };
  } catch (error) {
    const failure = error as BuildFailure;
    // A plugin's own error (e.g. APR_INVALID_DIRECTIVE) keeps its code.
    const first = failure.errors?.[0];
    const detail = first?.detail;
    if (isApprouteError(detail)) {
      // An error raised while resolving an import has no place of its own: esbuild's is the import's.
      const place = detail.location === undefined ? first?.location : undefined;
      // Which route pulls a client-only import in (Next prints an import trace too).
      const trace =
        place && detail.code === ErrorCode.CLIENT_ONLY_IMPORT
          ? await importTrace(
              options,
              place.file,
              Object.values(input.entries).map((path) => relative(input.root, path)),
            )
          : undefined;
      const traced = trace && trace.length > 1 ? `\nImport trace: ${trace.join(" ← ")}` : "";
      const error = place
        ? new ApprouteError(
            detail.code,
            `${place.file}:${place.line}:${place.column + 1}: ${detail.message}${traced}`,
            {
              location: { file: place.file, line: place.line, column: place.column + 1 },
              hint: detail.hint,
            },
          )
        : detail;
      throw Object.assign(error, { messages: failure.errors });
    }
    if (Array.isArray(failure.errors))
      throw Object.assign(compileError(failure.errors, input.root), { messages: failure.errors });
    throw error;
  }
}
