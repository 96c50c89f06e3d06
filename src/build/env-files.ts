/**
 * `.env` files, loaded into `process.env` as `next dev`, `next build` and `next start` load them:
 * with `@next/env`, the loader Next itself uses, so the files, their order and `$VAR` expansion are
 * Next's. For the mode (development for `dev`, production otherwise, test when NODE_ENV is "test")
 * the first of `.env.<mode>.local`, `.env.local` (not in test), `.env.<mode>`, `.env` that defines a
 * variable wins, and a variable the environment already has is never replaced.
 * @module
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

type LoadEnvConfig = (
  dir: string,
  dev?: boolean,
  log?: { info(...args: unknown[]): void; error(...args: unknown[]): void },
  forceReload?: boolean,
  onReload?: (file: string) => void,
) => { loadedEnvFiles: Array<{ path: string }> };

const NAMES = ["development", "production", "test"].flatMap((mode) => [`.env.${mode}.local`, `.env.${mode}`]);
const CANDIDATES = [".env", ".env.local", ...NAMES];

let loaded = false;

/**
 * Loads the project's env files; returns their names (for the log line). `reload` (dev, on every
 * rebuild) first restores the environment the process started with, so an edited or deleted file
 * takes effect; `onChange` hears of each file whose contents changed. A project without env files
 * costs a few `stat` calls: the loader itself is only required when there is something to load.
 */
export function loadEnvFiles(
  root: string,
  dev: boolean,
  options: { reload?: boolean; onChange?: (file: string) => void } = {},
): string[] {
  if (!loaded && !CANDIDATES.some((name) => existsSync(join(root, name)))) return [];
  loaded = true;
  const loadEnvConfig = (createRequire(import.meta.url)("@next/env") as { loadEnvConfig: LoadEnvConfig })
    .loadEnvConfig;
  const log = { info() {}, error: (...args: unknown[]) => console.error("[approute]", ...args) };
  const { loadedEnvFiles } = loadEnvConfig(root, dev, log, options.reload === true, options.onChange);
  return loadedEnvFiles.map((file) => file.path);
}
