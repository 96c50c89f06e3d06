/**
 * Packages route code imports must be installed. The build leaves packages external, so esbuild
 * never looks for them, and a missing one used to surface as Node's ERR_MODULE_NOT_FOUND with a
 * stack into the build output (or only at the first request). `next build` resolves every import and
 * fails with "Module not found" at the import; approute now does the same, naming the file and line,
 * with `APR_MODULE_NOT_FOUND`. Only static `import`/`export … from` statements are checked (a
 * dynamic `import()` or a `require()` may be an optional dependency, guarded by a try), and only
 * whether the package is installed where the build output will resolve it (the output folder,
 * upwards), once per package name: a few `stat` calls a build.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { dirname, join } from "node:path";
import type { Metafile, PartialMessage } from "./esbuild.js";

/**
 * Packages Next.js carries a copy of, used when the project has none installed (`next build` aliases
 * them for server code); migrated code may import them without having installed them.
 */
const CARRIED_BY_NEXT: Record<string, string> = {
  "@opentelemetry/api": "Next.js uses a copy of its own when the project does not install it",
  "@vercel/og": "Next.js maps it to a copy of its own (the ImageResponse of next/og)",
};

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** Whether `specifier` names a package (not a path, a built-in, a `#import` or a URL scheme). */
function isPackage(specifier: string): boolean {
  // `bun` is Bun's built-in module, for an entry run by Bun.
  return !(
    /^[./#]/.test(specifier) ||
    specifier.includes(":") ||
    isBuiltin(specifier) ||
    specifier === "bun"
  );
}

/** The `name` of the package.json in `dir`, if there is one. */
function ownName(dir: string): string | undefined {
  try {
    const { name } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown };
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Installed below `from` or above it, or the package `from` is in (it may import itself by name). */
function isInstalled(name: string, from: string): boolean {
  let scope = true;
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules", name, "package.json"))) return true;
    // The nearest package.json is the one a self-reference goes through.
    if (scope && existsSync(join(dir, "package.json"))) {
      scope = false;
      if (ownName(dir) === name) return true;
    }
    if (dirname(dir) === dir) return false;
  }
}

/** Line and column (1-based line, 0-based column, as esbuild) of the first quoted `specifier` in `file`. */
function findImport(
  file: string,
  specifier: string,
): { line: number; column: number; lineText: string } | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    for (const quote of ['"', "'", "`"]) {
      const column = line.indexOf(`${quote}${specifier}${quote}`);
      if (column >= 0) return { line: i + 1, column, lineText: line };
    }
  }
  return undefined;
}

/**
 * One esbuild-shaped error per import of a package that is not installed where `outDir` resolves
 * packages; `root` is the folder the metafile's input paths are relative to.
 */
export function missingPackages(metafile: Metafile, root: string, outDir: string): PartialMessage[] {
  const errors: PartialMessage[] = [];
  // Yarn Plug'n'Play installs without node_modules; its own resolver finds the packages.
  if (process.versions.pnp !== undefined || existsSync(join(root, ".pnp.cjs"))) return errors;
  const installed = new Map<string, boolean>();
  for (const [input, meta] of Object.entries(metafile.inputs)) {
    for (const imported of meta.imports) {
      if (imported.kind !== "import-statement" || !imported.external || !isPackage(imported.path)) continue;
      const name = packageName(imported.path);
      let found = installed.get(name);
      if (found === undefined) installed.set(name, (found = isInstalled(name, outDir)));
      if (found) continue;
      const place = findImport(join(root, input), imported.original ?? imported.path);
      const carried = CARRIED_BY_NEXT[name];
      errors.push({
        text: `Package "${name}" is imported but not installed.`,
        location: place
          ? { file: input, line: place.line, column: place.column, lineText: place.lineText }
          : { file: input },
        notes: [
          {
            text: `${carried ? `${carried}; approute loads the project's own. ` : ""}Install it (npm install ${name}), or remove the import.`,
          },
        ],
      });
    }
  }
  return errors;
}
