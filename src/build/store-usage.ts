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
import { builtinModules } from "node:module";
import { dirname, join, posix } from "node:path";
import { parse } from "acorn";
import type { Metafile } from "esbuild";

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
  /** Imports whose bindings the module's own code uses (or side-effect imports). */
  used: Binding[];
  /** Exported name → binding it passes straight through (`import { a } …; export { a }`). */
  passThrough: Map<string, Binding>;
  /** `export * from` sources. */
  star: string[];
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

/** Reads one emitted file; `null` when it cannot be understood. */
function parseOutput(source: string): ParsedOutput | null {
  let body: AstNode[];
  const comments: Array<[number, number]> = [];
  try {
    body = (
      parse(source, {
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
  const result: ParsedOutput = { used: [], passThrough: new Map(), star: [] };
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
  const usedInCode = (local: string) => new RegExp(`(?<![\\w$])${escapeRegExp(local)}(?![\\w$])`).test(code);
  for (const [local, binding] of imports) if (usedInCode(local)) result.used.push(binding);
  result.used.push(...sideEffects);
  for (const [exported, local] of exportsClause) {
    const binding = imports.get(local);
    if (binding !== undefined) result.passThrough.set(exported, binding);
  }
  return result;
}

/**
 * The analyser for one build. `workingDir` is the directory the metafile's paths are relative to;
 * `root` is where `node_modules` lookups start.
 */
export function storeUsageAnalyser(metafile: Metafile, workingDir: string, root: string) {
  const packageCache = new Map<string, boolean>();
  const parsed = new Map<string, ParsedOutput | null>();
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

  function parsedOutput(path: string): ParsedOutput | null {
    if (!parsed.has(path)) {
      let value: ParsedOutput | null = null;
      try {
        value = parseOutput(readFileSync(join(workingDir, path), "utf8"));
      } catch {
        value = null;
      }
      parsed.set(path, value);
    }
    return parsed.get(path)!;
  }

  /** Does importing `name` from `spec` (as written in output `from`) reach the store? */
  function bindingUsesStore(from: string, binding: Binding, visiting: Set<string>): boolean {
    const { spec, name } = binding;
    if (spec.startsWith(".")) return outputUsesStore(posix.join(posix.dirname(from), spec), name, visiting);
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
        module.used.some((binding) => bindingUsesStore(path, binding, visiting)) ||
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
