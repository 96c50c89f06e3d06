/**
 * Decides at build time whether a compiled route can ever read the request store (the one
 * AsyncLocalStorage behind `next/headers`, `after()`, `next/cache`, "use cache"…). A route that
 * provably cannot is called without entering it (#6): on Node 20 every `AsyncLocalStorage.run`
 * turns on async hooks that then cost every promise and socket write of the process.
 *
 * The answer is conservative: anything not understood (a namespace import of approute, a `require`,
 * an approute module not listed here, a package that depends on approute, a package that cannot be
 * found) counts as "uses the store".
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
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

interface AstNode {
  type: string;
  source?: { value: unknown } | null;
  specifiers?: Array<{ type: string; imported?: { type: string; name?: string; value?: unknown } }>;
}

/** Package name of a bare specifier (`@scope/pkg/sub` → `@scope/pkg`). */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/**
 * Creates the analyser for one build. `root` is the project root (where node_modules are looked up),
 * `outDir` the directory the metafile's output paths are relative to the working directory of.
 */
export function storeUsageAnalyser(metafile: Metafile, workingDir: string, root: string) {
  const packageCache = new Map<string, boolean>();
  const outputCache = new Map<string, boolean>();

  /** True when an installed package declares approute as a dependency (it may call next/headers). */
  function packageMayUseStore(name: string): boolean {
    let known = packageCache.get(name);
    if (known !== undefined) return known;
    known = true;
    for (let dir = root; ; dir = dirname(dir)) {
      const file = join(dir, "node_modules", name, "package.json");
      if (existsSync(file)) {
        try {
          const pkg = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
          const fields = ["dependencies", "peerDependencies", "optionalDependencies"];
          known = fields.some((field) => {
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

  /** True when an approute import in `file` uses a name outside STORE_FREE. */
  function approuteImportsUseStore(file: string): boolean {
    let ast: { body: AstNode[] };
    try {
      ast = parse(readFileSync(join(workingDir, file), "utf8"), {
        ecmaVersion: "latest",
        sourceType: "module",
      }) as unknown as { body: AstNode[] };
    } catch {
      return true;
    }
    for (const node of ast.body) {
      const isImport = node.type === "ImportDeclaration";
      const isReexport = node.type === "ExportNamedDeclaration" || node.type === "ExportAllDeclaration";
      if (!(isImport || isReexport) || !node.source) continue;
      const from = String(node.source.value);
      if (from !== "approute" && !from.startsWith("approute/")) continue;
      const free = STORE_FREE[from];
      if (free === undefined) return true;
      if (free === "all") continue;
      if (node.type === "ExportAllDeclaration") return true;
      for (const spec of node.specifiers ?? []) {
        if (spec.type !== "ImportSpecifier" && spec.type !== "ExportSpecifier") return true;
        // For `export { x } from`, the imported name is `local`; acorn puts it on `local`.
        const imported =
          spec.type === "ImportSpecifier"
            ? spec.imported
            : (spec as unknown as { local: { name?: string } }).local;
        const name = imported?.name ?? String((imported as { value?: unknown } | undefined)?.value);
        if (!free.has(name)) return true;
      }
    }
    return false;
  }

  /** Whether the output's own external imports can reach the store (chunks it imports not included). */
  function directlyUsesStore(path: string): boolean {
    const cached = outputCache.get(path);
    if (cached !== undefined) return cached;
    const meta = metafile.outputs[path];
    let uses = meta === undefined;
    let parseApproute = false;
    for (const entry of meta?.imports ?? []) {
      const spec = entry.path;
      if (!entry.external) continue;
      if (spec === "approute" || spec.startsWith("approute/")) {
        const free = STORE_FREE[spec];
        if (entry.kind !== "import-statement" || free === undefined) uses = true;
        else if (free !== "all") parseApproute = true;
      } else if (
        !(spec.startsWith("node:") || BUILTINS.has(spec) || spec.startsWith(".") || spec.startsWith("/"))
      ) {
        // Node built-ins cannot reach the store; a package can only if it depends on approute (or next).
        if (packageMayUseStore(packageName(spec))) uses = true;
      }
      if (uses) break;
    }
    if (!uses && parseApproute) uses = approuteImportsUseStore(path);
    outputCache.set(path, uses);
    return uses;
  }

  /** Depth-first over the output and the chunks it imports (statically or dynamically). */
  function outputUsesStore(path: string, seen: Set<string>): boolean {
    if (seen.has(path)) return false;
    seen.add(path);
    if (directlyUsesStore(path)) return true;
    for (const entry of metafile.outputs[path]?.imports ?? [])
      if (!entry.external && outputUsesStore(entry.path, seen)) return true;
    return false;
  }

  return {
    /** `outputPath` as it appears in `metafile.outputs`. */
    usesStore(outputPath: string): boolean {
      return outputUsesStore(outputPath, new Set());
    },
  };
}
