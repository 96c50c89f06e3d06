/**
 * Binds `Response` inside compiled route modules to approute's lightweight implementation, and
 * `fetch` to the data-cache wrapper (src/cache/fetch-cache.ts), with esbuild `inject`: every free
 * reference to `Response` / `fetch` in user code imports it from `approute/internal/globals` /
 * `approute/internal/fetch` instead of reading the global. Local declarations of those names and
 * the process-wide globals are left alone, and user packages (external) keep the globals: as in
 * Next, only `fetch` calls written in the app's own code take part in the data cache.
 *
 * hot path: measured on the bench hello route (Response.json), see bench/RESULTS.md.
 * @module
 */
import type { Plugin } from "esbuild";

/** The virtual module esbuild injects; it only re-exports the bindings. */
export const INJECT_GLOBALS = "approute:inject-globals";
const NAMESPACE = "approute-inject";

export function injectGlobalsPlugin(): Plugin {
  return {
    name: "approute-inject-globals",
    setup(build) {
      build.onResolve({ filter: /^approute:inject-globals$/ }, () => ({
        path: INJECT_GLOBALS,
        namespace: NAMESPACE,
      }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, () => ({
        contents:
          'export { Response } from "approute/internal/globals";\nexport { fetch } from "approute/internal/fetch";\n',
        loader: "js",
        resolveDir: build.initialOptions.absWorkingDir ?? process.cwd(),
      }));
    },
  };
}
