/**
 * Binds `Response` inside compiled route modules to approute's lightweight implementation (esbuild
 * `inject`): every free reference to `Response` in user code imports it from
 * `approute/internal/globals` instead of reading the global. Local declarations named `Response`
 * and the process-wide global are left alone, and user packages (external) keep the global.
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
        contents: 'export { Response } from "approute/internal/globals";\n',
        loader: "js",
        resolveDir: build.initialOptions.absWorkingDir ?? process.cwd(),
      }));
    },
  };
}
