/**
 * Stale draft-mode cookies (R68): a request whose `__prerender_bypass` cookie does not hold this
 * build's preview id, or that carries `__next_preview_data` (the Pages-Router preview, which
 * approute does not have), gets both cookies expired on a route's answer, as next start does.
 * @module
 */
import { previewIdOf } from "../context/headers.js";
import { RequestCookies } from "../deps/cookies.js";

const BYPASS = "__prerender_bypass";
const DATA = "__next_preview_data";

function expired(dev: boolean): Headers {
  const attributes = dev
    ? "Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax"
    : "Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None";
  const headers = new Headers();
  headers.append("set-cookie", `${BYPASS}=; ${attributes}`);
  headers.append("set-cookie", `${DATA}=; ${attributes}`);
  return headers;
}

/**
 * False when a Cookie header cannot hold a draft-mode cookie, valid or stale: neither name occurs in
 * it. Such a request is answered as one without cookies by the route cache (R68, R69).
 */
export function mayHoldDraftCookies(cookieHeader: string): boolean {
  return cookieHeader.includes(BYPASS) || cookieHeader.includes(DATA);
}

/**
 * The `Set-Cookie` headers that expire stale draft-mode cookies, or `undefined` when the request has
 * none (the common case: one substring test) or its draft-mode cookie is valid.
 */
export function staleDraftCookies(
  cookieHeader: string | null,
  buildPreviewId: string | undefined,
  dev: boolean,
): Headers | undefined {
  if (cookieHeader === null || !mayHoldDraftCookies(cookieHeader)) return undefined;
  const jar = new RequestCookies(new Headers({ cookie: cookieHeader }));
  const bypass = jar.get(BYPASS)?.value;
  const data = jar.get(DATA)?.value;
  if (!bypass && !data) return undefined;
  if (bypass && !data && bypass === previewIdOf(buildPreviewId)) return undefined;
  return expired(dev);
}
