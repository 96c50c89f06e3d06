/**
 * `import.meta.url` in route code names the source file, as in Next (migration parity): checked with
 * `next build && next start` 16.4.6, a route answers `import.meta.url` with the URL of its own
 * `route.ts`, and `readFile(new URL("./data.json", import.meta.url))` reads the file beside it.
 * approute compiles routes into `.approute/`, where the value would name the output file. So the
 * use-cache pass, which reads every source file anyway, replaces `import.meta.url` (as an expression,
 * with esbuild's `define`: strings and comments keep their text) in the files that mention it with a
 * marked path, and {@link relinkSourceUrls} turns each into the source's URL computed from the output
 * file's own (`new URL("../../app/x/route.ts", import.meta.url).href`), so a build moves with its
 * project. Next (Turbopack) also copies files referenced as `new URL("./x", import.meta.url)` into
 * its output; approute reads them where they are.
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import type { Metafile } from "./esbuild.js";

const MARKER = "approute-source-url:";
const MARKED = /(["'])approute-source-url:([^"'\n]+)\1/g;

/** Whether a source file needs {@link sourceUrlDefine} (a cheap text test). */
export function mentionsSourceUrl(source: string): boolean {
  return source.includes("import.meta.url");
}

/** The esbuild `define` that marks `import.meta.url` in the source file `path` (absolute). */
export function sourceUrlDefine(path: string): Record<string, string> {
  return { "import.meta.url": JSON.stringify(MARKER + path) };
}

/** Rewrites the marked paths in the written `.mjs` outputs (see the module comment). */
export function relinkSourceUrls(metafile: Metafile, workingDir: string): void {
  for (const output of Object.keys(metafile.outputs)) {
    if (!output.endsWith(".mjs")) continue;
    const file = join(workingDir, output);
    const text = readFileSync(file, "utf8");
    if (!text.includes(MARKER)) continue;
    writeFileSync(
      file,
      text.replace(MARKED, (_, quote: string, source: string) => {
        const path = relative(dirname(file), source).split(sep).map(encodeURIComponent).join("/");
        return `new URL(${quote}${path}${quote}, import.meta.url).href`;
      }),
    );
  }
}
