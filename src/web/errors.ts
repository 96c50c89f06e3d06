/**
 * Errors the Fetch-side objects raise that the runtime maps to client errors.
 * @module
 */

/** The request body is larger than the configured limit: answered with 413 (A6). */
export class PayloadTooLargeError extends Error {
  readonly status = 413;
  constructor(readonly limit: number) {
    super(`Request body is larger than the limit of ${limit} bytes.`);
    this.name = "PayloadTooLargeError";
  }
}
