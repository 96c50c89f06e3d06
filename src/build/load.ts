/**
 * Loading a finished build: import the generated entry and return its app. `approute start` uses
 * this; it compiles nothing.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import type { App, AppOptions } from "../runtime/app.js";
import type { Manifest } from "./manifest.js";

export interface LoadedBuild {
  app: App;
  manifest: Manifest;
  entry: string;
}

/**
 * Imports `<dir>/entry.mjs` (default `<root>/.approute/server`). `overrides` (a logger, …) build a
 * fresh app instance over the same modules; the entry's own default instance is then closed, so it
 * neither preloads modules in the background (logging failures to the console, after the caller
 * may have removed the build) nor holds a Redis connection.
 */
export async function loadBuild(
  root: string,
  dir = join(root, ".approute", "server"),
  overrides?: Partial<AppOptions>,
): Promise<LoadedBuild> {
  const entry = join(dir, "entry.mjs");
  if (!existsSync(entry)) {
    throw new ApprouteError(ErrorCode.NO_BUILD, `No build found in ${dir}.`, {
      hint: `Run "approute build" first.`,
    });
  }
  const mod = (await import(pathToFileURL(entry).href)) as {
    app: App;
    manifest: Manifest;
    create(o: Partial<AppOptions>): App;
  };
  if (overrides === undefined) return { app: mod.app, manifest: mod.manifest, entry };
  await mod.app.close();
  return { app: mod.create(overrides), manifest: mod.manifest, entry };
}
