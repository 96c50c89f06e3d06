/**
 * Parses human byte sizes (`"1mb"`, `"512kb"`, `1048576`) for body limits (A6). Pure; used at load
 * time for the `bodySizeLimit` route export and the `--body-limit` flag, never per request.
 * @module
 */

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
};

/**
 * Returns the number of bytes `value` stands for, or `null` when it is not a size: a non-negative
 * integer, or a decimal number followed by `b`, `kb`, `mb` or `gb` (binary multiples, any case,
 * optional space). `"1.5mb"` → 1572864.
 */
export function parseByteSize(value: unknown): number | null {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== "string") return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b)?\s*$/i.exec(value);
  if (match === null) return null;
  const bytes = Math.floor(Number(match[1]) * UNITS[(match[2] ?? "b").toLowerCase()]!);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
