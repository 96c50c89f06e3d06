/**
 * Merging `cookies()` mutations into the handler's response (R61): cookies already on the response
 * come first and win on a name clash; then the cookies changed through `cookies()`, in the order they
 * were changed.
 * @module
 */
import { ResponseCookies } from "@edge-runtime/cookies";
import type { RequestStore } from "../context/request-store.js";

/** Returns `response` with `Set-Cookie` rebuilt from its own cookies plus the store's mutations. */
export function applyCookieMutations(response: Response, store: RequestStore): Response {
  const jar = store.cookieJar;
  const names = store.mutatedCookies;
  if (jar === undefined || names === undefined || names.length === 0) return response;
  let headers: Headers;
  try {
    headers = response.headers;
    // Immutable headers (e.g. Response.redirect) throw on set: copy into a new response.
    headers.set("x-approute-probe", "1");
    headers.delete("x-approute-probe");
  } catch {
    response = new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    headers = response.headers;
  }
  const existing = new ResponseCookies(headers);
  const own = new Set(existing.getAll().map((c) => c.name));
  const seen = new Set<string>();
  let added = false;
  for (const name of names) {
    if (own.has(name) || seen.has(name)) continue;
    seen.add(name);
    const cookie = jar.get(name);
    if (cookie) {
      existing.set(cookie);
      added = true;
    }
  }
  // Next rebuilds every Set-Cookie header once cookies() was mutated, normalising the response's own.
  if (!added && own.size > 0) existing.set(existing.getAll()[0]!);
  return response;
}
