/**
 * `approute/node`: serve an app on Node's HTTP server.
 * @module
 */
export { createListener, type ListenerOptions } from "./listener.js";
export {
  DEFAULT_BODY_LIMIT,
  originFor,
  type RunningServer,
  requestOriginFor,
  SERVER_DEFAULTS,
  type ServeOptions,
  serve,
} from "./server.js";
export { writeResponse } from "./write.js";
