/**
 * @edge-runtime/cookies, from its ES module build. The package has no `exports` map, so Node picks
 * its CommonJS `main`; importing that from ESM starts Node's CommonJS export scanner (~15–30 ms of
 * start-up). Every approute module imports the cookie classes from here, so their types stay one.
 * @module
 */
export {
  type RequestCookie,
  RequestCookies,
  type ResponseCookie,
  ResponseCookies,
} from "@edge-runtime/cookies/dist/index.mjs";
