/**
 * ua-parser-js for runtimes that import ESM only (bundlers, workerd). Node, Bun and Deno resolve
 * `#deps/ua-parser` to `ua-parser.node.ts` instead (package.json `imports`).
 * @module
 */
import parseUserAgent from "ua-parser-js";

export default parseUserAgent;
