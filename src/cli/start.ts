/**
 * Everything `approute start` and `approute dev` need to serve, in one module: the CLI loads it with
 * a single import. Loading the runtime as a few large files rather than many small ones is most of
 * what start-up costs beyond Node itself (#6); see scripts/build-lib.mjs.
 * @module
 */
export { SERVER_DEFAULTS, serve } from "../adapters/node/server.js";
export { loadBuild } from "../build/load.js";
export { consoleLogger } from "../runtime/logger.js";
export { onShutdown } from "../runtime/shutdown.js";

// What a build's entry imports from approute: loaded before the CLI switches source maps on.
import "../runtime/app.js";
import "../web/server.js";
import "../web/globals.js";

export { installCrashGuards, installShutdown, runPrimary, stackRouteLocator } from "./process.js";
