/**
 * Finds the routes root (`app/` or `src/app/`, R1) and every route file under it, plus the proxy /
 * middleware file, `instrumentation.*` and `next.config`. Pure file-system reading; nothing is compiled here.
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import { type ParsedRoute, parseRouteDir } from "../core/route-id.js";

export const ROUTE_EXTENSIONS = ["ts", "tsx", "mts", "js", "jsx", "mjs"] as const;
const PAGE_EXTENSIONS = ["tsx", "ts", "jsx", "js", "mdx"];

/** One route file found on disk. */
export interface ScannedRoute extends ParsedRoute {
  /** Absolute path. */
  path: string;
  /** Path relative to the project root, with `/` separators (for messages). */
  file: string;
}

export interface ScanResult {
  root: string;
  /** Absolute routes root. */
  appDir: string;
  routes: ScannedRoute[];
  /** Absolute path of `proxy.*` or `middleware.*`, if any. */
  proxy?: { path: string; file: string; kind: "proxy" | "middleware" };
  /** The files of `public/` as URL paths (`/robots.txt`), when the folder exists. */
  publicFiles?: string[];
  /** `instrumentation.*` (register / onRequestError), if any: next to `app/`, or in the project root. */
  instrumentation?: { path: string; file: string };
  /** Absolute path of `next.config.*`, if any. */
  config?: string;
  /**
   * That config as evaluated for this build (`phase-production-build`), when it was: the build
   * evaluates `next.config` once and hands this value to everything that needs it (#6).
   */
  nextConfig?: Record<string, unknown>;
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}

/** Locates `app/` or `src/app/` under `root` (R1). */
export function findAppDir(root: string): string {
  for (const candidate of [join(root, "app"), join(root, "src", "app")]) {
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
  }
  throw new ApprouteError(ErrorCode.NO_APP_DIR, `No "app" or "src/app" directory found in ${root}.`, {
    hint: 'Create app/api/hello/route.ts exporting `GET`, or pass the project directory: "approute dev path/to/project".',
  });
}

function findFile(dir: string, base: string, exts: readonly string[]): string | undefined {
  for (const ext of exts) {
    const path = join(dir, `${base}.${ext}`);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export interface ScanOptions {
  /**
   * next.config `pageExtensions` (R1): route files are then `route.<ext>` for exactly these
   * extensions (`["api.ts"]` → only `route.api.ts`), as in Next. Extensions that do not end in a
   * JavaScript/TypeScript extension (`"mdx"`) can never be route handlers and are skipped.
   */
  pageExtensions?: readonly string[];
}

function endsInScript(ext: string): boolean {
  const last = ext.slice(ext.lastIndexOf(".") + 1);
  return (ROUTE_EXTENSIONS as readonly string[]).includes(last);
}

/** Scans a project. Throws for a page/route clash (R9), both proxy and middleware (R124), bad folders. */
export function scanProject(root: string, options: ScanOptions = {}): ScanResult {
  const appDir = findAppDir(root);
  const routeExtensions: readonly string[] = options.pageExtensions?.filter(endsInScript) ?? ROUTE_EXTENSIONS;
  const pageExtensions: readonly string[] = options.pageExtensions ?? PAGE_EXTENSIONS;
  const routes: ScannedRoute[] = [];
  const walk = (dir: string, folders: string[]) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    let route: string | undefined;
    let page: string | undefined;
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
        // R7: private folders and everything below them are never routed.
        if (entry.name.startsWith("_")) continue;
        walk(join(dir, entry.name), [...folders, entry.name]);
        continue;
      }
      const name = entry.name;
      if (name.startsWith("route.") && routeExtensions.includes(name.slice(6))) {
        if (route) {
          throw new ApprouteError(
            ErrorCode.ROUTE_CONFLICT,
            `Conflicting routes: ${rel(root, route)} and ${rel(root, join(dir, entry.name))} are in the same folder.`,
            {
              location: { file: rel(root, join(dir, entry.name)) },
              hint: "Keep one route file per folder.",
            },
          );
        }
        route = join(dir, entry.name);
      } else if (name.startsWith("page.") && pageExtensions.includes(name.slice(5))) {
        page = join(dir, entry.name);
      }
    }
    if (route) {
      const file = rel(root, route);
      const parsed = parseRouteDir(folders, file);
      if (parsed) {
        if (page) {
          throw new ApprouteError(
            ErrorCode.ROUTE_CONFLICT,
            `Conflicting route and page at ${parsed.key}: ${file} and ${rel(root, page)}.`,
            {
              location: { file },
              hint: "A URL is served either by a page or by a route handler. Move route.ts into a sub-folder such as api/.",
            },
          );
        }
        routes.push({ ...parsed, path: route, file });
      }
    }
  };
  walk(appDir, []);

  const sourceRoot = appDir === join(root, "src", "app") ? join(root, "src") : root;
  const proxyPath =
    findFile(sourceRoot, "proxy", ["ts", "js", "mts", "mjs"]) ??
    (sourceRoot !== root ? findFile(root, "proxy", ["ts", "js", "mts", "mjs"]) : undefined);
  const middlewarePath =
    findFile(sourceRoot, "middleware", ["ts", "js", "mts", "mjs"]) ??
    (sourceRoot !== root ? findFile(root, "middleware", ["ts", "js", "mts", "mjs"]) : undefined);
  if (proxyPath && middlewarePath) {
    throw new ApprouteError(
      ErrorCode.INVALID_PROXY,
      `Both ${rel(root, middlewarePath)} and ${rel(root, proxyPath)} exist.`,
      {
        location: { file: rel(root, middlewarePath) },
        hint: 'Keep only proxy.ts (the Next 16 name); rename the exported "middleware" function to "proxy".',
      },
    );
  }
  const result: ScanResult = { root, appDir, routes };
  if (proxyPath) result.proxy = { path: proxyPath, file: rel(root, proxyPath), kind: "proxy" };
  else if (middlewarePath)
    result.proxy = { path: middlewarePath, file: rel(root, middlewarePath), kind: "middleware" };
  const instrumentation =
    findFile(sourceRoot, "instrumentation", ["ts", "js", "mts", "mjs"]) ??
    (sourceRoot !== root ? findFile(root, "instrumentation", ["ts", "js", "mts", "mjs"]) : undefined);
  if (instrumentation) result.instrumentation = { path: instrumentation, file: rel(root, instrumentation) };
  const config = findFile(root, "next.config", ["ts", "mts", "mjs", "js", "cjs"]);
  if (config) result.config = config;
  const publicFiles = scanPublic(join(root, "public"));
  if (publicFiles !== undefined) result.publicFiles = publicFiles;
  return result;
}

/**
 * The files under `public/` as URL paths, as next start serves them: names starting with a dot are
 * left out (next start refuses them), except `.well-known`. A symbolic link to a file is served; one
 * to a folder is not followed.
 */
function scanPublic(dir: string): string[] | undefined {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  const files: string[] = [];
  const walk = (folder: string, prefix: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith(".") && entry.name !== ".well-known") continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}/${entry.name}`);
      else if (
        entry.isFile() ||
        (entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile())
      )
        files.push(`${prefix}/${entry.name}`);
    }
  };
  walk(dir, "");
  return files.sort();
}

function rel(root: string, path: string): string {
  return toPosix(relative(root, path));
}
