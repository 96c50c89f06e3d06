/**
 * path-to-regexp for runtimes that import ESM only (bundlers, workerd); Node, Bun and Deno get
 * `path-to-regexp.node.ts` through the `#deps/path-to-regexp` import map (see `ua-parser.node.ts`).
 * @module
 */
export { type Key, pathToRegexp } from "path-to-regexp";
