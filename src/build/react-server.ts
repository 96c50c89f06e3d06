/**
 * The `react-server` export condition for the packages route code imports (migration parity).
 *
 * Next 16 bundles a route handler's packages and resolves them with the `react-server` condition
 * first (checked with `next build && next start` 16.4.6, Turbopack and webpack: a package whose
 * `exports` give `react-server` → a.js and `node` → b.js answers from a.js, for `import` and
 * `require`; a package in `serverExternalPackages` is left to Node and answers from b.js). approute
 * leaves packages external for Node to load, and Node never sets `react-server`; so an import of a
 * package whose `exports` choose differently under `react-server` is pointed, at build, at the file
 * Next would have taken. It stays external (one instance, the package's own `node_modules` around
 * it): the output imports the file by a path relative to itself (see {@link relinkReactServer}).
 *
 * Scope and cost: only the project's declared dependencies whose `exports` mention `react-server`
 * are looked at (their package.json files are read once per build); a project without one adds no
 * esbuild callback. `react` and `react-dom` are left as installed (Next uses its own server build of
 * React and rejects `react-dom/server` in route code; approute serves the project's own React, which
 * is the more permissive choice), as are the packages of next.config `serverExternalPackages` and
 * the imports of next.config itself. Imports made inside `node_modules` are Node's to resolve,
 * without the condition (Next bundles them with it). A `require()` of such a package works under
 * Node; in a `--target worker` build any `require()` of a package fails as before (workerd cannot
 * run the `createRequire` banner).
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { Metafile, Plugin } from "./esbuild.js";

/** Prefix of the external paths the plugin emits; {@link relinkReactServer} makes them relative. */
const MARKER = "approute-react-server:";
/** The file a marked external path names, or undefined for any other path. */
export function reactServerFile(path: string): string | undefined {
  return path.startsWith(MARKER) ? path.slice(MARKER.length) : undefined;
}

const LEFT_AS_INSTALLED = new Set(["react", "react-dom", "server-only", "client-only", "next", "approute"]);

type Exports = string | null | Exports[] | { [key: string]: Exports };

interface Package {
  dir: string;
  exports: Exports;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** `name`'s installed package as Node finds it from `from`, if its `exports` mention `react-server`. */
function findPackage(name: string, from: string): Package | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkgDir = join(dir, "node_modules", name);
    let text: string | undefined;
    try {
      text = readFileSync(join(pkgDir, "package.json"), "utf8");
    } catch {}
    if (text !== undefined) {
      // Most packages never say it, and are not parsed.
      if (!text.includes('"react-server"')) return undefined;
      try {
        const exports = (JSON.parse(text) as { exports?: Exports }).exports;
        return exports !== undefined && JSON.stringify(exports).includes('"react-server"')
          ? { dir: pkgDir, exports }
          : undefined;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The target of a conditional `exports` value under `conditions` (Node's rules, first match wins). */
function pickTarget(value: Exports, conditions: readonly string[], star: string): string | null | undefined {
  if (typeof value === "string") return value.replaceAll("*", star);
  if (value === null) return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = pickTarget(item, conditions, star);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (key !== "default" && !conditions.includes(key)) continue;
    const found = pickTarget(inner, conditions, star);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The file `subpath` (`.` or `./x`) of a package maps to under `conditions`. */
export function resolveExports(exports: Exports, subpath: string, conditions: readonly string[]) {
  const subpaths =
    typeof exports === "object" &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports)[0]?.startsWith(".")
      ? exports
      : { ".": exports };
  if (Object.hasOwn(subpaths, subpath)) return pickTarget(subpaths[subpath]!, conditions, "");
  // Patterns: the longest prefix before `*` wins, then the longest pattern.
  let best: { key: string; star: string } | undefined;
  for (const key of Object.keys(subpaths)) {
    const at = key.indexOf("*");
    if (at < 0 || at !== key.lastIndexOf("*")) continue;
    const prefix = key.slice(0, at);
    const suffix = key.slice(at + 1);
    if (
      subpath.length >= key.length &&
      subpath.startsWith(prefix) &&
      subpath.endsWith(suffix) &&
      (best === undefined ||
        prefix.length > best.key.indexOf("*") ||
        (prefix.length === best.key.indexOf("*") && key.length > best.key.length))
    )
      best = { key, star: subpath.slice(prefix.length, subpath.length - suffix.length) };
  }
  return best === undefined ? undefined : pickTarget(subpaths[best.key]!, conditions, best.star);
}

/** Splits `@scope/name/sub` into the package name and the `exports` subpath. */
function splitSpecifier(spec: string): { name: string; subpath: string } {
  const parts = spec.split("/");
  const length = spec.startsWith("@") ? 2 : 1;
  const rest = parts.slice(length).join("/");
  return { name: parts.slice(0, length).join("/"), subpath: rest === "" ? "." : `./${rest}` };
}

const escapeRegExp = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

/**
 * The plugin for the project at `root`, or undefined when none of its declared dependencies has a
 * `react-server` export (the usual case: then esbuild makes no call for it).
 */
export function reactServerPlugin(
  root: string,
  leaveToNode: readonly string[] = [],
  configFile?: string,
): Plugin | undefined {
  const manifest = readJson(join(root, "package.json"));
  const names = new Set<string>();
  for (const field of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"]) {
    const deps = manifest?.[field];
    if (typeof deps === "object" && deps !== null)
      for (const name of Object.keys(deps))
        if (!LEFT_AS_INSTALLED.has(name) && !leaveToNode.includes(name)) names.add(name);
  }
  const candidates = [...names].filter((name) => findPackage(name, root) !== undefined);
  if (candidates.length === 0) return undefined;
  const filter = new RegExp(`^(?:${candidates.map(escapeRegExp).join("|")})(?:/.*)?$`);
  const found = new Map<string, Package | undefined>();
  return {
    name: "approute-react-server",
    setup(build) {
      build.onResolve({ filter }, (args) => {
        // next.config is loaded by Node in Next, not resolved as route code.
        if (args.importer === configFile) return undefined;
        const { name, subpath } = splitSpecifier(args.path);
        const key = `${args.resolveDir}\0${name}`;
        if (!found.has(key)) found.set(key, findPackage(name, args.resolveDir));
        const pkg = found.get(key);
        if (pkg === undefined) return undefined;
        const mode = args.kind === "require-call" || args.kind === "require-resolve" ? "require" : "import";
        const plain = resolveExports(pkg.exports, subpath, ["node", mode]);
        const server = resolveExports(pkg.exports, subpath, ["react-server", "node", mode]);
        if (typeof server !== "string" || server === plain || !server.startsWith("./")) return undefined;
        const file = join(pkg.dir, server);
        return existsSync(file) ? { path: MARKER + file, external: true } : undefined;
      });
    },
  };
}

/** A `require(…)` / `require.resolve(…)` call of a marked path, as esbuild prints it (`__require`, minified or not). */
const REQUIRED =
  /(?<![\w$.])(?!import\b)[A-Za-z_$][\w$]*(\.resolve)?\(\s*(["'])approute-react-server:([^"'\n]+)\2/g;
/** Any other use of a marked path: an `import`/`export … from` or `import()` specifier. */
const IMPORTED = /(["'])approute-react-server:([^"'\n]+)\1/g;

/**
 * Rewrites the plugin's external paths in the written outputs into paths relative to each output
 * file, so a build can move with its project. Touches only outputs that import such a path.
 * A `require` of one is called through the file's own `require` (the banner compile.ts adds to every
 * file of a build that requires an external path): esbuild's `__require` helper may sit in a chunk in
 * another folder, and a relative path would be resolved from there.
 */
export function relinkReactServer(metafile: Metafile, workingDir: string): void {
  for (const [output, meta] of Object.entries(metafile.outputs)) {
    if (!meta.imports.some((i) => i.external && i.path.startsWith(MARKER))) continue;
    const file = join(workingDir, output);
    const from = (target: string) => {
      const path = relative(dirname(file), target).split(sep).join("/");
      return path.startsWith(".") ? path : `./${path}`;
    };
    const text = readFileSync(file, "utf8")
      .replace(
        REQUIRED,
        (_, resolve = "", quote: string, target: string) =>
          `require${resolve}(${quote}${from(target)}${quote}`,
      )
      .replace(IMPORTED, (_, quote: string, target: string) => `${quote}${from(target)}${quote}`);
    writeFileSync(file, text);
  }
}
