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

/**
 * The virtual modules esbuild injects, one per binding: with code splitting, a module used by
 * several routes lands in a chunk shared by exactly those routes, so a route that only uses
 * `Response` never imports the fetch wrapper (which the request-store analysis would count).
 */
export const INJECT_GLOBALS = ["approute:inject-response", "approute:inject-fetch"];
const SOURCES: Record<string, string> = {
  "approute:inject-response": 'export { Response } from "approute/internal/globals";\n',
  "approute:inject-fetch": 'export { fetch } from "approute/internal/fetch";\n',
};
const NAMESPACE = "approute-inject";

export function injectGlobalsPlugin(): Plugin {
  return {
    name: "approute-inject-globals",
    setup(build) {
      build.onResolve({ filter: /^approute:inject-(response|fetch)$/ }, (args) => ({
        path: args.path,
        namespace: NAMESPACE,
      }));
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: SOURCES[args.path],
        loader: "js",
        resolveDir: build.initialOptions.absWorkingDir ?? process.cwd(),
      }));
    },
  };
}
