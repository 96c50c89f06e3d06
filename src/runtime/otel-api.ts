/**
 * Finding the project's `@opentelemetry/api` (see tracing.ts). A module of its own: it resolves a
 * package by path at start, which a Workers bundle cannot do, so `approute build --target worker`
 * swaps it for a stand-in that finds nothing.
 * @module
 */
import type { OtelApi } from "./tracing.js";

const OTEL_GLOBAL = Symbol.for("opentelemetry.js.api.1");

/**
 * The project's `@opentelemetry/api` (resolved from `projectRoot`, a `file:` URL ending in `/`),
 * loaded only when some copy of the API has registered a global tracer provider by now; otherwise
 * (and where there is no file system) undefined, at the cost of one property read.
 */
export async function loadOtelApi(projectRoot: string): Promise<OtelApi | undefined> {
  const registry = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[OTEL_GLOBAL];
  if (registry?.trace === undefined || projectRoot === "") return undefined;
  try {
    const [{ createRequire }, { pathToFileURL }] = await Promise.all([
      import("node:module"),
      import("node:url"),
    ]);
    const path = createRequire(new URL("package.json", projectRoot)).resolve("@opentelemetry/api");
    const module = (await import(pathToFileURL(path).href)) as OtelApi & { default?: OtelApi };
    return module.trace !== undefined ? module : module.default;
  } catch {
    return undefined;
  }
}
