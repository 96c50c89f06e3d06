/**
 * `approute typegen`: writes `.approute/types/{routes,next}.d.ts` and the root `approute-env.d.ts`
 * for a project's routes (R38–R41). Files are rewritten only when their text changes, so editors
 * and `tsc --watch` do not churn on every dev rebuild.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ENV_FILE,
  generateEnvDts,
  generateNextDts,
  generateRoutesDts,
  generateValidatorTs,
  TYPES_DIR,
  type TypegenRoute,
} from "./generate.js";

export {
  BUILTIN_CACHE_LIFE_PROFILES,
  ENV_FILE,
  generateEnvDts,
  generateNextDts,
  generateRoutesDts,
  generateValidatorTs,
  paramShape,
  TYPES_DIR,
  type TypegenRoute,
} from "./generate.js";

export interface TypegenResult {
  /** Absolute paths of the files whose content changed (empty when everything was current). */
  written: string[];
  /** Absolute path of the routes declaration file. */
  routesFile: string;
}

function writeIfChanged(path: string, text: string, written: string[]): void {
  if (existsSync(path) && readFileSync(path, "utf8") === text) return;
  writeFileSync(path, text);
  written.push(path);
}

export interface TypegenOptions {
  /** `cacheLife` profile names from next.config (R103); built-in names are always included. */
  cacheLifeProfiles?: readonly string[];
}

/** Writes the declaration files for `routes` into the project at `root`. */
export function writeTypes(
  root: string,
  routes: readonly TypegenRoute[],
  options: TypegenOptions = {},
): TypegenResult {
  const dir = join(root, TYPES_DIR);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const routesFile = join(dir, "routes.d.ts");
  writeIfChanged(routesFile, generateRoutesDts(routes), written);
  writeIfChanged(join(dir, "next.d.ts"), generateNextDts(options), written);
  writeIfChanged(join(dir, "validator.ts"), generateValidatorTs(routes), written);
  writeIfChanged(join(root, ENV_FILE), generateEnvDts(), written);
  return { written, routesFile };
}
