/**
 * What `approute build` prints: a table of routes (path, kind, methods, size) like Next's build
 * output, esbuild warnings with file:line and a code frame, and the total time. Also the small
 * terminal helpers (colour only on a TTY without NO_COLOR, a progress line only on a TTY).
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { pathToFileURL } from "node:url";
import { type ApprouteError, ErrorCode, formatError } from "../core/errors.js";
import type { BuildResult } from "./build.js";
import { formatMessagesSync } from "./esbuild.js";
import type { ManifestRoute } from "./manifest.js";

const METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Lines `line-2 … line+2` of `source` with a `>` marker and a caret under `column` (1-based). */
export function codeFrame(source: string, line: number, column: number, p: Paint = paint(false)): string {
  const lines = source.split(/\r?\n/);
  const first = Math.max(1, line - 2);
  const last = Math.min(lines.length, line + 2);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const gutter = `${String(n).padStart(width)} |`;
    const text = lines[n - 1] ?? "";
    if (n === line) {
      out.push(`${p.red(">")} ${p.dim(gutter)} ${text}`);
      out.push(`  ${" ".repeat(width)} ${p.dim("|")} ${" ".repeat(Math.max(0, column - 1))}${p.red("^")}`);
    } else out.push(`  ${p.dim(gutter)} ${text}`);
  }
  return out.join("\n");
}

/**
 * An ApprouteError for the terminal: the usual paragraph plus a code frame when it points at a
 * line of a readable file (compile errors already carry esbuild's frame).
 */
export function formatFailure(error: ApprouteError, root: string, color = false): string {
  const text = formatError(error);
  const location = error.location;
  if (!location?.line || error.code === ErrorCode.COMPILE_FAILED) return text;
  const path = isAbsolute(location.file) ? location.file : join(root, location.file);
  try {
    if (!existsSync(path) || !statSync(path).isFile()) return text;
    return `${text}\n\n${codeFrame(readFileSync(path, "utf8"), location.line, location.column || 1, paint(color))}`;
  } catch {
    return text;
  }
}

/** One row of the route table. */
export interface ReportRow {
  path: string;
  /** `static`, `revalidate <n>s` or `dynamic`. */
  kind: string;
  symbol: "○" | "◐" | "ƒ";
  methods: string[];
  bytes: number;
  file: string;
}

/** Whether to colour output written to `stream` (a TTY, and NO_COLOR unset). */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

export interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
}

/** ANSI styles, or identity functions when `enabled` is false. */
export function paint(enabled: boolean): Paint {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
  };
}

/** `1.2 kB`, `340 B`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(2)} MB`;
}

/**
 * The kind of a route as the build decided it: `route.cache.mode` is written by the route cache
 * (R73–R83) for GET routes it prerendered; `revalidate` comes from the prerendered entries. A route
 * the build did not prerender runs per request: dynamic.
 */
export function routeKind(
  route: ManifestRoute,
  revalidate?: number | false,
): Pick<ReportRow, "kind" | "symbol"> {
  const mode = (route as ManifestRoute & { cache?: { mode?: string } }).cache?.mode;
  if (mode !== "static") return { kind: "dynamic", symbol: "ƒ" };
  if (typeof revalidate === "number" && revalidate > 0)
    return { kind: `revalidate ${revalidate}s`, symbol: "◐" };
  return { kind: "static", symbol: "○" };
}

/** Reads `revalidate` per route file from the build's prerendered entries (shortest wins). */
export async function readRevalidate(outDir: string): Promise<Map<string, number | false>> {
  const found = new Map<string, number | false>();
  const path = join(outDir, "prerendered.mjs");
  if (!existsSync(path)) return found;
  const mod = (await import(pathToFileURL(path).href)) as {
    default?: Array<{ file?: string; revalidate?: number | false }>;
  };
  for (const entry of mod.default ?? []) {
    if (typeof entry.file !== "string" || entry.revalidate === undefined) continue;
    const seen = found.get(entry.file);
    if (seen === undefined || seen === false || (entry.revalidate !== false && entry.revalidate < seen))
      found.set(entry.file, entry.revalidate);
  }
  return found;
}

/** The rows of the route table, sorted by path. */
export function reportRows(
  result: Pick<BuildResult, "manifest" | "routeInfo">,
  revalidate: ReadonlyMap<string, number | false> = new Map(),
): ReportRow[] {
  const rows = result.manifest.routes.map((route, i): ReportRow => {
    const info = result.routeInfo[i] ?? { exports: [], bytes: 0 };
    const methods = METHOD_ORDER.filter((m) => info.exports.includes(m));
    return {
      path: route.key,
      ...routeKind(route, revalidate.get(route.file)),
      methods,
      bytes: info.bytes,
      file: route.file,
    };
  });
  return rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The whole report: route table, legend, warnings, and the summary line. */
export function formatBuildReport(
  result: Pick<BuildResult, "manifest" | "routeInfo" | "warnings" | "durationMs" | "outDir">,
  options: { color?: boolean; outDirLabel?: string; revalidate?: ReadonlyMap<string, number | false> } = {},
): string {
  const p = paint(options.color ?? false);
  const rows = reportRows(result, options.revalidate);
  const lines: string[] = [];
  const head = ["Route", "Kind", "Methods", "Size"];
  const cells = rows.map((r) => [
    `${r.symbol} ${r.path}`,
    r.kind,
    r.methods.join(", ") || "—",
    formatBytes(r.bytes),
  ]);
  const widths = head.map((h, c) =>
    Math.max(h.length + (c === 0 ? 2 : 0), ...cells.map((row) => row[c]!.length)),
  );
  const pad = (s: string, c: number) => (c === 3 ? s.padStart(widths[c]!) : s.padEnd(widths[c]!));
  lines.push(p.bold(`  ${head.map((h, c) => pad(c === 0 ? h : h, c)).join("  ")}`));
  cells.forEach((row, i) => {
    const branch = rows.length === 1 ? "─" : i === 0 ? "┌" : i === rows.length - 1 ? "└" : "├";
    lines.push(`${branch} ${row.map((cell, c) => pad(cell, c)).join("  ")}`);
  });
  if (rows.length === 0) lines.push(p.dim("  (no routes: add app/**/route.ts)"));
  if (result.manifest.proxy)
    lines.push(`\nƒ Proxy (${result.manifest.proxy.kind})  ${result.manifest.proxy.file}`);
  lines.push("");
  lines.push(p.dim("○ static  ◐ revalidated  ƒ dynamic (rendered per request)"));
  if (result.warnings.length > 0) {
    lines.push("");
    lines.push(...formatMessagesSync(result.warnings, { kind: "warning", color: options.color ?? false }));
  }
  const count = `${rows.length} route${rows.length === 1 ? "" : "s"}`;
  const warned = result.warnings.length
    ? p.yellow(`, ${result.warnings.length} warning${result.warnings.length === 1 ? "" : "s"}`)
    : "";
  lines.push("");
  lines.push(
    `${p.green("✓")} built ${count}${warned} in ${Math.round(result.durationMs)} ms → ${options.outDirLabel ?? result.outDir}`,
  );
  return lines.join("\n");
}

/** A one-line status indicator: rewritten in place on a TTY, plain lines otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): {
  update(message: string): void;
  done(): void;
} {
  const tty = Boolean(stream.isTTY);
  let shown = false;
  return {
    update(message) {
      if (tty) {
        stream.write(`\r\u001b[2K${message}…`);
        shown = true;
      } else stream.write(`approute: ${message}\n`);
    },
    done() {
      if (tty && shown) stream.write("\r\u001b[2K");
      shown = false;
    },
  };
}
