/**
 * The bindings `approute build` gives route modules in place of globals (esbuild `inject`, see
 * src/build/compile.ts). Only the compiled user code sees them; the process-wide globals are never
 * replaced. Internal: imported as `approute/internal/globals` by compiled chunks only.
 *
 * hot path: the global (undici) `Response` builds a web stream for every body and costs about 2.5×
 * a lightweight one on Node; route files written for Next (`Response.json(...)`, `new Response(s)`)
 * get {@link FastResponse} behaviour instead, written to the socket in one `writeHead` + `end`.
 * @module
 */
import { FastResponse } from "./fast-response.js";
import { fetchClass } from "./fetch-globals.js";

const defaultHasInstance = Function.prototype[Symbol.hasInstance];

/**
 * `Response` inside compiled route modules. Behaves like the global one; `x instanceof Response`
 * stays true for every Response (a `fetch()` result too), as it would with the global.
 */
class Response extends FastResponse {
  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses (`class MyResponse extends Response`) keep ordinary instanceof semantics.
    if (this !== Response) return defaultHasInstance.call(this, value);
    // A FastResponse answers without loading the global class; anything else asks the real one.
    if (defaultHasInstance.call(FastResponse, value)) return true;
    return defaultHasInstance.call(fetchClass("Response"), value);
  }
}
// The published build is bundled, and a bundler gives a class that names itself in its own body an
// internal alias (`class _Response`); keep the name users see in logs and `constructor.name`.
Object.defineProperty(Response, "name", { value: "Response" });

export { Response };
