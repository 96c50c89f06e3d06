/**
 * Reads the `cacheLife` profile names from a project's `next.config` for typegen (R103): compile the
 * config file alone with esbuild, import it, resolve a function export with the build phase, and
 * list the keys of `cacheLife`. Build time only.
 * @module
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { nextAliasPlugin } from "./next-alias.js";

let sequence = 0;

/**
 * The `cacheLife` keys of `configPath` (absolute), or `[]` without a config. Throws what the config
 * throws, so a broken config is reported rather than silently typed without profiles.
 */
export async function readCacheLifeProfiles(root: string, configPath: string | undefined): Promise<string[]> {
  if (!configPath) return [];
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
      plugins: [nextAliasPlugin()],
    });
    const mod = (await import(pathToFileURL(outfile).href)) as { default?: unknown };
    let config: unknown = mod.default ?? mod;
    if (typeof config === "function")
      config = await (config as (phase: string, ctx: { defaultConfig: object }) => unknown)(
        "phase-production-build",
        { defaultConfig: {} },
      );
    const profiles = (config as { cacheLife?: unknown } | null)?.cacheLife;
    return profiles && typeof profiles === "object" ? Object.keys(profiles) : [];
  } finally {
    rmSync(outfile, { force: true });
  }
}
