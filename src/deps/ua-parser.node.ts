/**
 * ua-parser-js, loaded with `require` on the first `userAgent()` call. The package is CommonJS;
 * importing it from ESM makes Node start its CommonJS export scanner and scan the whole file
 * (~25 ms), and even `require` costs ~5 ms of start-up that most apps never need. Selected by the
 * `node` condition of `#deps/ua-parser` in package.json; `ua-parser.ts` is the ESM fallback.
 * @module
 */
import { createRequire } from "node:module";

type Parser = typeof import("ua-parser-js").default;
let parser: Parser | undefined;

export default function parseUserAgent(input?: string): ReturnType<Parser> {
  parser ??= createRequire(import.meta.url)("ua-parser-js") as Parser;
  return parser(input);
}
