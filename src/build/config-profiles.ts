/**
 * Evaluates a project's `next.config` for the build, once (#6): the scan carries the result, which
 * gives the scanner `pageExtensions` (R1), typegen the `cacheLife` profile names (R103) and the
 * prerender its config. The config file is compiled alone with esbuild, imported, and a function
 * export resolved with the build phase. Build time only.
 * @module
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import { REQUIRE_BANNER } from "./compile.js";
import { configPathsPlugin } from "./config-paths.js";
import { build } from "./esbuild.js";
import { nextAliasPlugin } from "./next-alias.js";
import { type ScanResult, scanProject } from "./scan.js";

let sequence = 0;

/** The phase a config function is called with: a build, or `approute dev` (one per rebuild). */
export type ConfigPhase = "phase-production-build" | "phase-development-server";

/**
 * Evaluates `configPath` (absolute) the way the build sees it: compiled alone with esbuild, imported,
 * a function export called with the build phase. Throws what the config throws.
 */
export async function readBuildConfig(
  root: string,
  configPath: string,
  phase: ConfigPhase = "phase-production-build",
): Promise<Record<string, unknown>> {
  const dir = join(root, ".approute", "types", ".config");
  mkdirSync(dir, { recursive: true });
  // A fresh file name per read: ESM caches modules by URL, and dev reads again after edits.
  const outfile = join(dir, `next-config-${process.pid}-${++sequence}.mjs`);
  try {
    await build({
      absWorkingDir: root,
      entryPoints: [configPath],
      outfile,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      logLevel: "silent",
      plugins: [nextAliasPlugin(), configPathsPlugin(configPath)],
      banner: { js: REQUIRE_BANNER },
    });
    const mod = (await import(pathToFileURL(outfile).href)) as { default?: unknown };
    let config: unknown = mod.default ?? mod;
    if (typeof config === "function")
      config = await (config as (phase: string, ctx: { defaultConfig: object }) => unknown)(phase, {
        defaultConfig: {},
      });
    return config !== null && typeof config === "object" ? (config as Record<string, unknown>) : {};
  } finally {
    rmSync(outfile, { force: true });
  }
}

/**
 * The `cacheLife` profile names of the scanned project's next.config, or `[]` without one. Uses the
 * config the scan evaluated; evaluates it only when the scan could not. Throws what the config
 * throws, so a broken config is reported rather than silently typed without profiles.
 */
export async function readCacheLifeProfiles(
  root: string,
  scan: Pick<ScanResult, "config" | "nextConfig">,
): Promise<string[]> {
  if (!scan.config) return [];
  const config = scan.nextConfig ?? (await readBuildConfig(root, scan.config));
  // Next 16 still reads the old place, experimental.cacheLife, when the top-level one is unset.
  const profiles =
    config.cacheLife ?? (config.experimental as { cacheLife?: unknown } | undefined)?.cacheLife;
  return profiles && typeof profiles === "object" ? Object.keys(profiles) : [];
}

/** next.config `pageExtensions` (R1), validated, or undefined when the config does not set it. */
function pageExtensionsOf(
  root: string,
  configPath: string,
  config: Record<string, unknown>,
): string[] | undefined {
  const value = config.pageExtensions;
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((ext) => typeof ext === "string" && ext !== "" && !ext.startsWith("."))
  ) {
    throw new ApprouteError(
      ErrorCode.INVALID_CONFIG,
      `Invalid next.config option "pageExtensions": expected a non-empty array of extensions without a leading dot, received ${JSON.stringify(value)}.`,
      {
        location: { file: relative(root, configPath).split("\\").join("/") },
        hint: 'Use for example pageExtensions: ["ts", "api.ts"], or remove the option.',
      },
    );
  }
  return value as string[];
}

/**
 * Scans `root` and evaluates its next.config once for the whole build (#6) — in `phase`, which is
 * `phase-development-server` for a dev rebuild, whose entry then takes it too: the result carries the
 * config (`nextConfig`), honours its `pageExtensions` (R1), and gives typegen its cacheLife profiles
 * and the prerender its config without evaluating the file again.
 *
 * A config that throws here fails the scan only when it mentions `pageExtensions` (which routes
 * exist depends on it); otherwise the build reports the error where it loads the config, as before.
 */
export async function scanWithConfig(
  root: string,
  phase: ConfigPhase = "phase-production-build",
): Promise<ScanResult> {
  const scan = scanProject(root);
  if (!scan.config) return scan;
  let config: Record<string, unknown>;
  try {
    config = await readBuildConfig(root, scan.config, phase);
  } catch (error) {
    if (readFileSync(scan.config, "utf8").includes("pageExtensions")) throw error;
    return scan;
  }
  const pageExtensions = pageExtensionsOf(root, scan.config, config);
  const result = pageExtensions === undefined ? scan : scanProject(root, { pageExtensions });
  result.nextConfig = config;
  return result;
}
