/**
 * Decides at build time whether a compiled route can ever read the request store (the one
 * AsyncLocalStorage behind `next/headers`, `after()`, `next/cache`, "use cache", the fetch data
 * cache…). A route that provably cannot is called without entering it (#6): on Node 20 the first
 * `AsyncLocalStorage.run` turns on async hooks that then cost every promise and socket write.
 *
 * It reads the emitted ESM (esbuild output: flat import/export declarations) binding by binding,
 * so a route that takes only `Response` from a chunk shared with a route that uses `fetch` stays
 * free. The answer is conservative: anything not understood (a namespace or default import of
 * approute, a `require`, an approute module not listed here, a package that depends on approute or
 * next, a file that does not parse) counts as "uses the store".
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join, posix } from "node:path";
import type * as Acorn from "acorn";
import type { Metafile } from "esbuild";
import { reactServerFile } from "./react-server.js";

/** approute modules (after the `next/*` alias) and the names of each that never touch the store. */
const STORE_FREE: Record<string, "all" | ReadonlySet<string>> = {
  "approute/internal/globals": "all",
  "approute/navigation": "all",
  "approute/server": new Set([
    "NextRequest",
    "NextResponse",
    "NextURL",
    "NextFetchEvent",
    "userAgent",
    "userAgentFromString",
    "URLPattern",
    "ImageResponse",
  ]),
};

const BUILTINS = new Set(builtinModules);
/** Loaded for the first chunk the quick scan cannot read: most builds never need it (#6). */
let acorn: typeof Acorn | undefined;
/** Every export of a module (namespace import, dynamic import, the route module itself). */
const ALL = "*";
/** No export, only the module's own code (`import "./chunk.mjs"`). */
const NONE = "";

interface Binding {
  spec: string;
  /** Imported name, `default`, or {@link ALL} for a namespace import. */
  name: string;
}

interface ParsedOutput {
  /** Import bindings by local name, in source order. */
  imports: Map<string, Binding>;
  /** Imports without bindings (`import "./chunk.mjs"`). */
  sideEffects: Binding[];
  /** Exported name → binding it passes straight through (`import { a } …; export { a }`). */
  passThrough: Map<string, Binding>;
  /** `export * from` sources. */
  star: string[];
  /**
   * Whether the module's own code (outside import/export lists and comments) names `local`;
   * `undefined` when the quick read ({@link scanOutput}) cannot tell and the full parse must.
   */
  isUsed(local: string): boolean | undefined;
}

interface AstNode {
  type: string;
  start: number;
  end: number;
  source?: { value: unknown } | null;
  /** `export * as ns from` */
  exported?: { name?: string; value?: unknown } | null;
  specifiers?: Array<{
    type: string;
    local?: { name?: string; value?: unknown };
    imported?: { name?: string; value?: unknown };
    exported?: { name?: string; value?: unknown } | null;
  }>;
}

const nameOf = (id: { name?: string; value?: unknown } | null | undefined): string =>
  id?.name ?? String(id?.value);

/** Package name of a bare specifier (`@scope/pkg/sub` → `@scope/pkg`). */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `local` as a whole identifier (a name inside a longer one does not count). */
const nameRegExp = (local: string) => new RegExp(`(?<![\\w$])${escapeRegExp(local)}(?![\\w$])`);

/** Reads one emitted file with acorn; `null` when it cannot be understood. */
export function parseOutput(source: string): ParsedOutput | null {
  let body: AstNode[];
  const comments: Array<[number, number]> = [];
  try {
    body = (
      (acorn ??= createRequire(import.meta.url)("acorn") as typeof Acorn).parse(source, {
        ecmaVersion: "latest",
        sourceType: "module",
        onComment: (_block, _text, start, end) => comments.push([start, end]),
      }) as unknown as { body: AstNode[] }
    ).body;
  } catch {
    return null;
  }
  // Comments (esbuild writes the source path of each module) must not count as uses of a name.
  let text = source;
  for (const [start, end] of comments)
    text = text.slice(0, start) + " ".repeat(end - start) + text.slice(end);
  const imports = new Map<string, Binding>();
  const sideEffects: Binding[] = [];
  const exportsClause = new Map<string, string>();
  const result: ParsedOutput = { imports, sideEffects, passThrough: new Map(), star: [], isUsed: () => true };
  // The module's own code: the text outside import/export-list declarations.
  let code = "";
  let from = 0;
  for (const node of body) {
    const spec = node.source ? String(node.source.value) : undefined;
    if (node.type === "ImportDeclaration" && spec !== undefined) {
      if (!node.specifiers?.length) sideEffects.push({ spec, name: NONE });
      for (const s of node.specifiers ?? []) {
        const name =
          s.type === "ImportSpecifier"
            ? nameOf(s.imported)
            : s.type === "ImportDefaultSpecifier"
              ? "default"
              : ALL;
        imports.set(nameOf(s.local), { spec, name });
      }
    } else if (node.type === "ExportAllDeclaration" && spec !== undefined) {
      if (node.exported) return null; // `export * as ns from`: not emitted by esbuild; stay safe
      result.star.push(spec);
    } else if (node.type === "ExportNamedDeclaration" && (node.specifiers?.length ?? 0) > 0) {
      for (const s of node.specifiers ?? []) {
        if (spec !== undefined) result.passThrough.set(nameOf(s.exported), { spec, name: nameOf(s.local) });
        else exportsClause.set(nameOf(s.exported), nameOf(s.local));
      }
    } else continue;
    code += `${text.slice(from, node.start)}\n`;
    from = node.end;
  }
  code += text.slice(from);
  // Over-counting is safe: a name that appears anywhere in the code counts as used by it.
  result.isUsed = (local) => nameRegExp(local).test(code);
  for (const [exported, local] of exportsClause) {
    const binding = imports.get(local);
    if (binding !== undefined) result.passThrough.set(exported, binding);
  }
  return result;
}

// The quick read. esbuild's output puts every import (and `export * from`) first and the export list
// last, with the module code in between; these match those statements as esbuild prints them.
const IMPORT =
  /import(?![\w$])\s*(?:([\w$]+)\s*(,\s*)?)?(?:\{([^}"'`\\]*)\}|\*\s*as\s+([\w$]+))?\s*(?:from\s*)?(?:"([^"\\\n]*)"|'([^'\\\n]*)')\s*;/y;
const EXPORT_FROM = /export\s*(?:(\*)|\{([^}"'`\\]*)\})\s*from\s*(?:"([^"\\\n]*)"|'([^'\\\n]*)')\s*;/y;
/** The final `export { … };`, then at most the source map comment. */
const EXPORT_LIST = /(?:^|\n)export\s*\{([^}"'`\\]*)\}\s*;?\s*(?:\/\/# sourceMappingURL=[^\s"'`*\\]*\s*)?$/;
/** An import or export statement the quick read did not take apart (`import(` / `import.meta` are code). */
const MODULE_KEYWORD = /(?<![\w$.])(?:export(?![\w$])|import(?![\w$])(?!\s*[(.]))/;
const SPECIFIER = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/;

/** `a, b as c` → [imported, local] pairs; `undefined` for anything else. */
function specifierList(list: string): Array<[string, string]> | undefined {
  const pairs: Array<[string, string]> = [];
  for (const item of list.split(",")) {
    const text = item.trim();
    if (text === "") continue;
    const m = SPECIFIER.exec(text);
    if (m === null) return undefined;
    pairs.push([m[1]!, m[2] ?? m[1]!]);
  }
  return pairs;
}

/**
 * Reads one emitted file without a full parse (#6: acorn over every chunk was about 0.1 s of a
 * 200-route build). Gives exactly what {@link parseOutput} would, or `undefined` when the file is not
 * laid out as expected: then the caller parses it.
 *
 * Why it is exact: the leading imports are read from the file's start, at top level, skipping only
 * whitespace and comments; the final export list is followed by nothing but the source map comment,
 * so no comment, string or template can enclose it; and the code in between must not contain the
 * words `import`/`export` in any statement position, so no declaration is missed. Names in the code
 * count as used unless every occurrence is in a comment, which is decided only where that can be read
 * without tokenising (see {@link ParsedOutput.isUsed}).
 */
export function scanOutput(source: string): ParsedOutput | undefined {
  if (source.startsWith("#!")) return undefined;
  const result: ParsedOutput = {
    imports: new Map(),
    sideEffects: [],
    passThrough: new Map(),
    star: [],
    isUsed: () => undefined,
  };
  let at = 0;
  for (;;) {
    while (at < source.length && /\s/.test(source[at]!)) at++;
    if (source.startsWith("//", at)) {
      const end = source.indexOf("\n", at);
      at = end === -1 ? source.length : end;
      continue;
    }
    if (source.startsWith("/*", at)) {
      const end = source.indexOf("*/", at + 2);
      if (end === -1) return undefined;
      at = end + 2;
      continue;
    }
    IMPORT.lastIndex = at;
    const imported = IMPORT.exec(source);
    if (imported !== null) {
      const [, defaultName, comma, list, namespace, double, single] = imported;
      const spec = (double ?? single)!;
      const pairs = list === undefined ? [] : specifierList(list);
      if (pairs === undefined || (comma !== undefined && list === undefined && namespace === undefined))
        return undefined;
      if (defaultName !== undefined) result.imports.set(defaultName, { spec, name: "default" });
      if (namespace !== undefined) result.imports.set(namespace, { spec, name: ALL });
      for (const [name, local] of pairs) result.imports.set(local, { spec, name });
      if (defaultName === undefined && namespace === undefined && pairs.length === 0)
        result.sideEffects.push({ spec, name: NONE });
      at = IMPORT.lastIndex;
      continue;
    }
    EXPORT_FROM.lastIndex = at;
    const reexport = EXPORT_FROM.exec(source);
    if (reexport !== null) {
      const [, star, list, double, single] = reexport;
      const spec = (double ?? single)!;
      if (star !== undefined) result.star.push(spec);
      else {
        const pairs = specifierList(list!);
        if (pairs === undefined) return undefined;
        for (const [name, exported] of pairs) result.passThrough.set(exported, { spec, name });
      }
      at = EXPORT_FROM.lastIndex;
      continue;
    }
    break;
  }
  let code = source.slice(at);
  const exportList = EXPORT_LIST.exec(code);
  if (exportList !== null) {
    const pairs = specifierList(exportList[1]!);
    if (pairs === undefined) return undefined;
    for (const [local, exported] of pairs) {
      const binding = result.imports.get(local);
      if (binding !== undefined) result.passThrough.set(exported, binding);
    }
    code = code.slice(0, exportList.index);
  }
  if (MODULE_KEYWORD.test(code)) return undefined;
  // Comments: lines that start with `//` are comments (esbuild writes one per source module) unless a
  // template literal or a continued string spans lines; past those, any `//` or `/*` left may be a
  // comment, so a name found only there is for the full parse to judge.
  let uncommented: string | null | undefined;
  result.isUsed = (local) => {
    const name = nameRegExp(local);
    if (!name.test(code)) return false;
    if (uncommented === undefined) {
      const stripped = code.replace(/^\/\/.*$/gm, "");
      uncommented =
        /[`\u2028\u2029]|\\\n/.test(code) || stripped.includes("//") || stripped.includes("/*")
          ? null
          : stripped;
    }
    return uncommented === null ? undefined : name.test(uncommented);
  };
  return result;
}

/**
 * The analyser for one build. `workingDir` is the directory the metafile's paths are relative to;
 * `root` is where `node_modules` lookups start.
 */
export function storeUsageAnalyser(metafile: Metafile, workingDir: string, root: string) {
  const packageCache = new Map<string, boolean>();
  const parsed = new Map<string, ParsedOutput | null>();
  const fullyParsed = new Map<string, ParsedOutput | null>();
  const memo = new Set<string>();

  /** True when an installed package declares approute or next as a dependency. */
  function packageMayUseStore(name: string): boolean {
    let known = packageCache.get(name);
    if (known !== undefined) return known;
    known = true;
    for (let dir = root; ; dir = dirname(dir)) {
      const file = join(dir, "node_modules", name, "package.json");
      if (existsSync(file)) {
        try {
          const pkg = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
          known = ["dependencies", "peerDependencies", "optionalDependencies"].some((field) => {
            const deps = pkg[field];
            return typeof deps === "object" && deps !== null && ("approute" in deps || "next" in deps);
          });
        } catch {
          known = true;
        }
        break;
      }
      if (dirname(dir) === dir) break;
    }
    packageCache.set(name, known);
    return known;
  }

  function fileMayUseStore(path: string): boolean {
    const rest = path.split("\\").join("/");
    return packageMayUseStore(
      packageName(rest.slice(rest.lastIndexOf("node_modules/") + "node_modules/".length)),
    );
  }

  const sources = new Map<string, string | null>();
  function sourceOf(path: string): string | null {
    if (!sources.has(path)) {
      let text: string | null = null;
      try {
        text = readFileSync(join(workingDir, path), "utf8");
      } catch {
        text = null;
      }
      sources.set(path, text);
    }
    return sources.get(path)!;
  }

  /** The full parse of output `path`. */
  function fullParse(path: string): ParsedOutput | null {
    if (!fullyParsed.has(path)) {
      const source = sourceOf(path);
      fullyParsed.set(path, source === null ? null : parseOutput(source));
    }
    return fullyParsed.get(path)!;
  }

  /** The quick read of output `path`, or the full parse when the quick read cannot tell. */
  function parsedOutput(path: string): ParsedOutput | null {
    if (!parsed.has(path)) {
      const source = sourceOf(path);
      parsed.set(path, source === null ? null : (scanOutput(source) ?? fullParse(path)));
    }
    return parsed.get(path)!;
  }

  /** Does the code of output `path` (read as `module`) use import binding `local`? */
  function usesLocal(path: string, module: ParsedOutput, local: string): boolean {
    return module.isUsed(local) ?? fullParse(path)?.isUsed(local) ?? true;
  }

  /** Does importing `name` from `spec` (as written in output `from`) reach the store? */
  function bindingUsesStore(from: string, binding: Binding, visiting: Set<string>): boolean {
    const { spec, name } = binding;
    // A file of an installed package imported by path (a `react-server` export, react-server.ts):
    // judged as its package. The metafile still has the plugin's marked path, the output a relative one.
    const marked = reactServerFile(spec);
    if (marked !== undefined) return fileMayUseStore(marked);
    if (spec.startsWith(".")) {
      const target = posix.join(posix.dirname(from), spec);
      if (metafile.outputs[target] === undefined && target.includes("node_modules/"))
        return fileMayUseStore(target);
      return outputUsesStore(target, name, visiting);
    }
    if (spec === "approute" || spec.startsWith("approute/")) {
      const free = STORE_FREE[spec];
      if (free === undefined) return true;
      if (free === "all") return false;
      return name === ALL || (name !== NONE && !free.has(name));
    }
    if (spec.startsWith("node:") || BUILTINS.has(spec)) return false;
    return packageMayUseStore(packageName(spec));
  }

  /** Does loading output `path` and taking export `name` from it reach the store? */
  function outputUsesStore(path: string, name: string, visiting: Set<string>): boolean {
    const key = `${path}\0${name}`;
    if (memo.has(key)) return true;
    if (visiting.has(key)) return false; // a cycle: its other edges are checked where it started
    visiting.add(key);
    let uses = true;
    const meta = metafile.outputs[path];
    const module = meta === undefined ? null : parsedOutput(path);
    if (meta !== undefined && module !== null) {
      uses =
        // Imports that are not plain `import` statements (require, dynamic import) are not read by
        // name: any of them to approute or an unknown package counts in full.
        meta.imports.some(
          (i) =>
            i.kind !== "import-statement" &&
            (i.external
              ? bindingUsesStore(path, { spec: i.path, name: ALL }, visiting)
              : outputUsesStore(i.path, ALL, visiting)),
        ) ||
        // Whether a name is used is asked only of bindings that reach the store, so the quick read
        // falls back to the full parse only where its answer could matter.
        [...module.imports].some(
          ([local, binding]) =>
            module.isUsed(local) !== false &&
            bindingUsesStore(path, binding, visiting) &&
            usesLocal(path, module, local),
        ) ||
        module.sideEffects.some((binding) => bindingUsesStore(path, binding, visiting)) ||
        module.star.some((spec) => bindingUsesStore(path, { spec, name }, visiting));
      if (!uses) {
        const names = name === ALL ? [...module.passThrough.keys()] : name === NONE ? [] : [name];
        uses = names.some((n) => {
          const binding = module.passThrough.get(n);
          return binding !== undefined && bindingUsesStore(path, binding, visiting);
        });
      }
    }
    visiting.delete(key);
    // Only "uses" is remembered: a "no" reached while a cycle was cut short may not hold elsewhere.
    if (uses) memo.add(key);
    return uses;
  }

  return {
    /** `outputPath` as it appears in `metafile.outputs`: loading the route module and calling it. */
    usesStore(outputPath: string): boolean {
      return outputUsesStore(outputPath, ALL, new Set());
    },
  };
}
