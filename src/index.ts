/**
 * `approute`: the programmatic API — build a project, load a build, serve it.
 * @module
 */

export { type RunningServer, SERVER_DEFAULTS, type ServeOptions, serve } from "./adapters/node/server.js";
export { type BuildOptions, type BuildResult, buildProject } from "./build/build.js";
export { type LoadedBuild, loadBuild } from "./build/load.js";
export { ApprouteError, ErrorCode, formatError, isApprouteError } from "./core/errors.js";
export { type App, type AppOptions, createApp } from "./runtime/app.js";
export { onShutdown, runShutdownHooks, type ShutdownHook } from "./runtime/shutdown.js";
