/**
 * `server-only` and `client-only`: marker packages that say on which side a module may run. Route
 * code is server code, so, as Next 16 resolves them for route handlers:
 * - `import "server-only"` compiles to nothing, installed or not (Next maps it to an empty module;
 *   the package's own default entry throws, and it is empty only under the `react-server`
 *   condition, which Node does not set);
 * - `import "client-only"` fails the build at the import with `APR_CLIENT_ONLY_IMPORT`.
 *
 * Only these two specifiers reach the callbacks (esbuild tests the filter itself), so other imports
 * cost nothing. Packages stay external: an import of `server-only` inside `node_modules` is still
 * Node's to resolve.
 * @module
 */
import { ApprouteError, ErrorCode } from "../core/errors.js";
import type { Plugin } from "./esbuild.js";

const MARKERS = /^(?:server-only|client-only)$/;
const EMPTY = "approute-empty";

export function markerPackagesPlugin(): Plugin {
  return {
    name: "approute-marker-packages",
    setup(build) {
      build.onResolve({ filter: MARKERS }, (args) => {
        if (args.path === "server-only") return { path: args.path, namespace: EMPTY };
        // esbuild gives the message the import's file, line and column; compile() copies them over.
        const text = `"client-only" cannot be imported by route code: it marks a module for the browser, and route handlers run on the server.`;
        return {
          errors: [
            {
              text,
              detail: new ApprouteError(ErrorCode.CLIENT_ONLY_IMPORT, text, {
                hint: `Remove the "client-only" import from this file, or stop importing the module that has it from a route (move the browser-only code out of what routes import).`,
              }),
            },
          ],
        };
      });
      build.onLoad({ filter: /.*/, namespace: EMPTY }, () => ({ contents: "", loader: "js" }));
    },
  };
}
