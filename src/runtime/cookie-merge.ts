/**
 * Merging `cookies()` mutations into the handler's response (R61): cookies already on the response
 * come first and win on a name clash; then the cookies changed through `cookies()`, in the order of
 * the `cookies()` jar (request cookies it was seeded with first, then new names), as Next does.
 * @module
 */

import type { RequestStore } from "../context/request-store.js";
import { ResponseCookies } from "../deps/cookies.js";

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
  // As Next: the changed cookies go in as fallbacks, then the response's own cookies are set again
  // on top (they win, keep their place, and come out normalised, e.g. with the default Path=/).
  const jarOnResponse = new ResponseCookies(headers);
  const returned = jarOnResponse.getAll();
  // The changed cookies, in the jar's order (seeded request cookies first), as Next emits them.
  const changed = new Set(names);
  for (const cookie of jar.getAll()) if (changed.has(cookie.name)) jarOnResponse.set(cookie);
  for (const cookie of returned) jarOnResponse.set(cookie);
  return response;
}
