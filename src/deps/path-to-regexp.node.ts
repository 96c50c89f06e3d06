/**
 * path-to-regexp (CommonJS only), loaded with `require` the first time a pattern is compiled (apps
 * without next.config rules or a proxy matcher never load it), so Node neither starts its CommonJS
 * export scanner nor reads the file at start (see `ua-parser.node.ts`). Selected by the `node`
 * condition of `#deps/path-to-regexp` in package.json.
 * @module
 */
import { createRequire } from "node:module";

type Module = typeof import("path-to-regexp");
let module: Module | undefined;

export type { Key } from "path-to-regexp";
export const pathToRegexp: Module["pathToRegexp"] = (...args) => {
  module ??= createRequire(import.meta.url)("path-to-regexp") as Module;
  return module.pathToRegexp(...args);
};
