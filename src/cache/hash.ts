/**
 * SHA-256 for cache keys. node:crypto is fetched on the first hash instead of imported: most
 * requests never hash a key, and importing node:crypto adds ~4 ms to every start.
 * @module
 */
let crypto: typeof import("node:crypto") | undefined;

export function sha256(text: string, encoding: "hex" | "base64url"): string {
  crypto ??= process.getBuiltinModule("node:crypto");
  return crypto.createHash("sha256").update(text).digest(encoding);
}
