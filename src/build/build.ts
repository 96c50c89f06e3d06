/**
 * `approute build`: scan the project, check the route tree, compile every route (and proxy and
 * next.config) with esbuild, and write the manifest plus the `{ fetch }` entry into `.approute/`.
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import {
  type Dirent,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import type { Message, Plugin } from "esbuild";
import { createRouter } from "../core/router.js";
import type { App } from "../runtime/app.js";
import { installSyncIOProbes } from "../runtime/sync-io.js";
import { compile } from "./compile.js";
import { scanWithConfig } from "./config-profiles.js";
import {
  BUILD_CONFIG,
  type FailedRoute,
  generateEntry,
  MANIFEST_VERSION,
  type Manifest,
  type RouteExports,
} from "./manifest.js";
import type { ScanResult } from "./scan.js";

export interface BuildOptions {
  /** Project root (contains app/ or src/app/). */
  root: string;
  /** Output directory; default `<root>/.approute/server`. */
  outDir?: string;
  dev?: boolean;
  minify?: boolean;
  plugins?: Plugin[];
  /** Told what the build is doing ("compiling 12 routes"), for a progress line. */
  onProgress?: (message: string) => void;
}

export interface BuildResult {
  outDir: string;
  /** Absolute path of the generated entry module. */
  entry: string;
  manifest: Manifest;
  scan: ScanResult;
  /** Bytes emitted by esbuild. */
  bytes: number;
  /** Source files compiled (relative to root). */
  inputs: string[];
  durationMs: number;
  /** Per manifest route (same order): exported names and the bytes of its own chunk (build report). */
  routeInfo: Array<{ exports: string[]; bytes: number; requestStore?: boolean }>;
  /** esbuild warnings, with file and line. */
  warnings: Message[];
}

/** Default server output directory of a project. */
export function serverDir(root: string): string {
  return join(root, ".approute", "server");
}

/** Checks the route tree before compiling anything, so conflicts fail fast (R9, R10). */
export function checkRoutes(scan: ScanResult): void {
  createRouter(scan.routes.map((r) => ({ segments: r.segments, file: r.file, data: null })));
}

/** Builds the project. Throws an ApprouteError with a stable code on any failure. */
export async function buildProject(
  options: BuildOptions,
  failed: FailedRoute[] = [],
  scanned?: ScanResult,
): Promise<BuildResult> {
  const started = performance.now();
  const root = options.root;
  options.onProgress?.("scanning routes");
  const scan = scanned ?? (await scanWithConfig(root));
  checkRoutes(scan);
  const outDir = options.outDir ?? serverDir(root);
  // The new build is written over the last one, and what it did not write is removed afterwards,
  // whether it succeeds or not: the directory ends as if it had been emptied first, without
  // unlinking and recreating the hundreds of files a rebuild writes again (#6).
  const previous = filesBelow(outDir);
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  try {
    return await buildInto(options, failed, scan, outDir, (file) => written.push(file), started);
  } finally {
    sweep(outDir, previous, written);
  }
}

/** Files below `dir` (absolute paths); none when it does not exist. A non-directory is removed. */
function filesBelow(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return [];
  }
  return entries.flatMap((entry) =>
    entry.isDirectory() ? filesBelow(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * Removes the files of `previous` this build did not write, then the directories they leave empty.
 * Both sides are compared by real path (the project or output directory may be reached through a
 * symlink, and esbuild reports its outputs relative to the real working directory). A written file
 * that cannot be found means the two do not line up: then nothing is removed, rather than something
 * just written.
 */
function sweep(outDir: string, previous: string[], written: string[]): void {
  const realDirs = new Map<string, string>();
  const real = (file: string): string | undefined => {
    const dir = dirname(file);
    let realDir = realDirs.get(dir);
    if (realDir === undefined) {
      try {
        realDir = realpathSync(dir);
      } catch {
        return undefined;
      }
      realDirs.set(dir, realDir);
    }
    return join(realDir, basename(file));
  };
  const kept = new Set<string>();
  for (const file of written) {
    const path = real(file);
    if (path === undefined || !existsSync(path)) return;
    kept.add(path);
  }
  const dirs = new Set<string>();
  for (const file of previous) {
    const path = real(file);
    if (path !== undefined && kept.has(path)) continue;
    rmSync(file, { force: true });
    for (let dir = dirname(file); dir.length > outDir.length; dir = dirname(dir)) dirs.add(dir);
  }
  // Deepest first; a directory that still holds files stays.
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      if (readdirSync(dir).length === 0) rmdirSync(dir);
    } catch {
      // already gone
    }
  }
}

/** The strings of a config value that should be a list of them (anything else: none). */
function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : undefined;
}

async function buildInto(
  options: BuildOptions,
  failed: FailedRoute[],
  scan: ScanResult,
  outDir: string,
  wrote: (file: string) => void,
  started: number,
): Promise<BuildResult> {
  const root = options.root;

  const failedFiles = new Set(failed.map((f) => f.file));
  const routes = scan.routes.filter((r) => !failedFiles.has(r.file));
  const entries: Record<string, string> = {};
  routes.forEach((route, i) => {
    entries[`route-${i}`] = route.path;
  });
  if (scan.proxy) entries.proxy = scan.proxy.path;
  if (scan.instrumentation) entries.instrumentation = scan.instrumentation.path;
  if (scan.config) entries["next-config"] = scan.config;

  options.onProgress?.(`compiling ${routes.length} route${routes.length === 1 ? "" : "s"}`);
  const output = await compile({
    root,
    outDir,
    entries,
    minify: options.minify,
    plugins: options.plugins,
    configFile: scan.config,
    serverExternalPackages: stringList(scan.nextConfig?.serverExternalPackages),
  });
  for (const file of output.outputs) wrote(file);
  const hash = createHash("sha256");
  for (const file of Object.values(output.files)) hash.update(readFileSync(join(outDir, file)));
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    buildId: hash.digest("base64url").slice(0, 16),
    previewId: randomBytes(16).toString("hex"),
    routes: routes.map((route, i) => ({
      file: route.file,
      key: route.key,
      segments: route.segments,
      chunk: output.files[`route-${i}`]!,
      ...(output.entryInfo[`route-${i}`]?.requestStore === false ? { requestStore: false } : {}),
    })),
  };
  if (scan.proxy)
    manifest.proxy = { file: scan.proxy.file, kind: scan.proxy.kind, chunk: output.files.proxy! };
  if (scan.publicFiles !== undefined && scan.publicFiles.length > 0) manifest.public = scan.publicFiles;
  if (scan.instrumentation)
    manifest.instrumentation = { file: scan.instrumentation.file, chunk: output.files.instrumentation! };
  if (scan.config)
    manifest.config = { file: scan.config.slice(root.length + 1), chunk: output.files["next-config"]! };
  const entry = join(outDir, "entry.mjs");
  const projectRoot = relative(outDir, root).split("\\").join("/") || ".";
  // The prerender's instance of the entry takes the config the scan evaluated (#6); the entry is
  // then rewritten for the server, which evaluates it at start. A dev entry always takes it (from
  // the dev loop), and imports the config itself only when none is handed over.
  const buildConfig = scan.nextConfig !== undefined;
  // The build's own instance (below, to prerender) registers nothing; dev serves this entry.
  writeFileSync(
    entry,
    generateEntry(manifest, {
      dev: options.dev,
      failed,
      projectRoot,
      buildConfig,
      instrumentation: options.dev === true,
    }),
  );
  wrote(entry);
  if (!options.dev) {
    options.onProgress?.("prerendering cached GETs");
    // As in next build, code that runs while building (route modules' top level, prerendered GETs)
    // sees NEXT_PHASE=phase-production-build: a common guard around database connections.
    const phase = process.env.NEXT_PHASE;
    process.env.NEXT_PHASE = "phase-production-build";
    try {
      const prerendered = await prerender(entry, outDir, manifest, failed, projectRoot, scan.nextConfig);
      if (prerendered) wrote(join(outDir, prerendered));
    } finally {
      if (phase === undefined) delete process.env.NEXT_PHASE;
      else process.env.NEXT_PHASE = phase;
    }
  }
  writeFileSync(join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  wrote(join(outDir, "manifest.json"));
  return {
    outDir,
    entry,
    manifest,
    scan,
    bytes: output.bytes,
    inputs: output.inputs,
    durationMs: performance.now() - started,
    routeInfo: routes.map((_, i) => output.entryInfo[`route-${i}`] ?? { exports: [], bytes: 0 }),
    warnings: output.warnings,
  };
}

/**
 * Loads the compiled routes once (through a throw-away instance of the entry, so they share the
 * runtime the server will use), prerenders every cached GET (R74, R80, R82), and rewrites the entry
 * to import the results from a generated module. Returns that module's file name, when there is one.
 */
async function prerender(
  entry: string,
  outDir: string,
  manifest: Manifest,
  failed: FailedRoute[],
  projectRoot: string,
  nextConfig: Record<string, unknown> | undefined,
): Promise<string | undefined> {
  const key = Symbol.for(BUILD_CONFIG);
  const global = globalThis as Record<symbol, unknown>;
  let mod: { app: App };
  try {
    global[key] = nextConfig;
    mod = (await import(`${pathToFileURL(entry).href}?prerender=${manifest.buildId}`)) as { app: App };
  } finally {
    delete global[key];
  }
  let result: Awaited<ReturnType<App["prerender"]>>;
  // R90: with cacheComponents, time and randomness read by a GET make it dynamic. The probes exist
  // only for the length of the prerender, in this build process.
  const restore = mod.app.config.raw.cacheComponents === true ? installSyncIOProbes() : undefined;
  try {
    result = await mod.app.prerender();
  } finally {
    restore?.();
    await mod.app.close();
  }
  const byFile = new Map(result.routes.map((r) => [r.file, r]));
  for (const route of manifest.routes) {
    const decided = byFile.get(route.file);
    if (decided !== undefined)
      route.cache = {
        mode: decided.mode,
        ...(decided.reason ? { reason: decided.reason } : {}),
        paths: decided.paths,
      };
    else {
      // Not a cache candidate: the server can import it on first use (#6) when its exports can be
      // written down. The entry above has already imported it, so this is the same module instance.
      const module = (await import(pathToFileURL(join(outDir, route.chunk)).href)) as Record<string, unknown>;
      const exports = recordExports(module);
      if (exports !== undefined) route.exports = exports;
    }
  }
  let name: string | undefined;
  if (result.routes.length > 0) {
    name = "prerendered.mjs";
    writeFileSync(
      join(outDir, name),
      `// Generated by approute build: responses prerendered at build (R74). Do not edit.\nexport default ${JSON.stringify(result.entries)};\n`,
    );
  }
  writeFileSync(entry, generateEntry(manifest, { failed, projectRoot, prerendered: name }));
  return name;
}

/**
 * A route module's exports as the manifest records them for loading on first use: the names of
 * its functions and its other exports, or undefined when one of those does not survive JSON
 * (the route is then imported at start, as before).
 */
function recordExports(module: Record<string, unknown>): RouteExports | undefined {
  const functions: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === "function") {
      functions.push(name);
      continue;
    }
    const text = JSON.stringify(value);
    if (text === undefined || !isDeepStrictEqual(JSON.parse(text), value)) return undefined;
    values[name] = value;
  }
  return { functions, values };
}
