/**
 * path-to-regexp (CommonJS only), loaded with `require` so Node does not start its CommonJS export
 * scanner for it (see `ua-parser.node.ts`). Selected by the `node` condition of
 * `#deps/path-to-regexp` in package.json.
 * @module
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export type { Key } from "path-to-regexp";
export const { pathToRegexp } = require("path-to-regexp") as typeof import("path-to-regexp");
