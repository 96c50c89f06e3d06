/**
 * The runtime's logger. Errors go here with their route file — never to the client. Replaceable so
 * tests and hosts can capture output.
 * @module
 */

export interface Logger {
  error(message: string, error?: unknown): void;
  warn(message: string): void;
  info(message: string): void;
}

/** Logs to stderr/stdout with an `approute` prefix. */
export const consoleLogger: Logger = {
  error(message, error) {
    if (error === undefined) console.error(`[approute] ${message}`);
    else console.error(`[approute] ${message}\n`, error);
  },
  warn(message) {
    console.warn(`[approute] warning: ${message}`);
  },
  info(message) {
    console.log(message);
  },
};

/** Warns once per distinct message. */
export function createWarnOnce(logger: Logger): (message: string) => void {
  const seen = new Set<string>();
  return (message) => {
    if (seen.has(message)) return;
    seen.add(message);
    logger.warn(message);
  };
}
