/**
 * ua-parser-js, loaded with `require`. The package is CommonJS; importing it from ESM makes Node
 * start its CommonJS export scanner and scan the whole file, which costs ~25 ms of start-up for
 * every app whose routes import `next/server`. `require` skips both. Selected by the `node`
 * condition of `#deps/ua-parser` in package.json; `ua-parser.ts` is the ESM fallback.
 * @module
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

const parseUserAgent = require("ua-parser-js") as typeof import("ua-parser-js");

export default parseUserAgent;
