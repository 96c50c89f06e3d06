/**
 * The server flags shared by `approute start` and `approute dev`: limits, timeouts, proxy trust and
 * workers, parsed and validated once into `serve()` options.
 * @module
 */
import type { ServeOptions } from "../adapters/node/server.js";
import { parseByteSize } from "../core/byte-size.js";
import { ApprouteError, ErrorCode } from "../core/errors.js";

/** `parseArgs` option definitions for the server flags. */
export const SERVER_FLAGS = {
  "body-limit": { type: "string" },
  "headers-timeout": { type: "string" },
  "request-timeout": { type: "string" },
  "keep-alive-timeout": { type: "string" },
  // next start's spelling, so a migrated start script keeps working.
  keepAliveTimeout: { type: "string" },
  "max-connections": { type: "string" },
  "max-header-size": { type: "string" },
  "shutdown-timeout": { type: "string" },
  "trust-proxy": { type: "boolean" },
  workers: { type: "string" },
} as const;

/** Help text for the flags above. */
export const SERVER_FLAGS_HELP = `  --body-limit <size>          Largest request body, e.g. 1048576 or "1mb" (default 10mb);
                               a route may export its own: export const bodySizeLimit = "50mb"
  --headers-timeout <ms>       Time to receive the request headers (default 30000)
  --request-timeout <ms>       Time to receive the whole request (default 300000; 0 = none)
  --keep-alive-timeout <ms>    Idle keep-alive connection lifetime (default 5000;
                               also --keepAliveTimeout, as next start spells it)
  --max-connections <n>        Most concurrent connections (default 10000)
  --max-header-size <bytes>    Largest request head; larger gets 431 (default 16384)
  --shutdown-timeout <ms>      Grace period for in-flight requests on SIGTERM/SIGINT (default 10000)
  --trust-proxy                Build request.url from X-Forwarded-Host/-Proto (only behind a proxy)`;

export const WORKERS_HELP = `  --workers <n|auto>           Processes sharing the port (default 1; auto = one per core)`;

type FlagValues = Partial<Record<keyof typeof SERVER_FLAGS, string | boolean | undefined>>;

function invalid(flag: string, value: unknown, expected: string, command: string): ApprouteError {
  return new ApprouteError(ErrorCode.USAGE, `Invalid --${flag} "${String(value)}": expected ${expected}.`, {
    hint: `Run "approute ${command} --help".`,
  });
}

function wholeNumber(values: FlagValues, flag: keyof typeof SERVER_FLAGS, command: string, min = 0) {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isSafeInteger(n) || n < min)
    throw invalid(flag, raw, `a whole number ≥ ${min}`, command);
  return n;
}

/** Parses the server flags into `serve()` options (only the ones given) and a worker count. */
export function parseServerFlags(
  values: FlagValues,
  command: string,
): { options: ServeOptions; workers: number } {
  const options: ServeOptions = {};
  if (values["body-limit"] !== undefined) {
    const bytes = parseByteSize(values["body-limit"]);
    if (bytes === null)
      throw invalid("body-limit", values["body-limit"], 'bytes or a size such as "1mb"', command);
    options.bodyLimit = bytes;
  }
  options.headersTimeout = wholeNumber(values, "headers-timeout", command, 1);
  options.requestTimeout = wholeNumber(values, "request-timeout", command);
  options.keepAliveTimeout =
    values.keepAliveTimeout !== undefined && values["keep-alive-timeout"] === undefined
      ? wholeNumber({ "keep-alive-timeout": values.keepAliveTimeout }, "keep-alive-timeout", command)
      : wholeNumber(values, "keep-alive-timeout", command);
  options.maxConnections = wholeNumber(values, "max-connections", command, 1);
  options.maxHeaderSize = wholeNumber(values, "max-header-size", command, 1024);
  options.shutdownTimeout = wholeNumber(values, "shutdown-timeout", command);
  if (values["trust-proxy"] === true) options.trustProxy = true;
  for (const key of Object.keys(options) as (keyof ServeOptions)[])
    if (options[key] === undefined) delete options[key];
  let workers = 1;
  const rawWorkers = values.workers;
  if (rawWorkers === "auto") workers = process.getBuiltinModule("node:os").availableParallelism();
  else if (rawWorkers !== undefined) {
    const n = wholeNumber(values, "workers", command, 1)!;
    if (n > 256) throw invalid("workers", rawWorkers, "a number from 1 to 256, or auto", command);
    workers = n;
  }
  return { options, workers };
}
