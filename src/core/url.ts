/**
 * Request-target handling, for ordinary targets without `new URL()`: split the target into pathname and search by scanning,
 * and decide the canonicalising redirects Next applies before routing (R11–R13).
 * @module
 */

/** A request target split into its encoded pathname and its search (with `?`, or ""). */
export interface Target {
  pathname: string;
  search: string;
}

/**
 * Splits a request target (`/a/b?x=1`). Absolute-form targets (`http://host/a`) keep only their path:
 * the authority is ignored (A5), so it can never steer redirects. Returns `null` for anything else
 * (`*`, `example.com:443`, empty), which the caller answers with 400.
 * hot path: one indexOf and at most two slices.
 */
export function splitTarget(raw: string): Target | null {
  let start = 0;
  if (raw.charCodeAt(0) !== 47 /* / */) {
    // The scheme is case-insensitive (RFC 3986 §3.1): `HTTP://x/a` is `http://x/a`.
    const head = raw.slice(0, 8).toLowerCase();
    const scheme = head.startsWith("http://") ? 7 : head === "https://" ? 8 : -1;
    if (scheme === -1) return null;
    const slash = raw.indexOf("/", scheme);
    if (slash === -1) {
      const q = raw.indexOf("?", scheme);
      return { pathname: "/", search: q === -1 ? "" : raw.slice(q) };
    }
    start = slash;
  }
  let q = raw.indexOf("?", start);
  const hash = raw.indexOf("#", start);
  if (hash !== -1 && (q === -1 || hash < q)) q = -1;
  const pathEnd = q !== -1 ? q : hash !== -1 ? hash : raw.length;
  const pathname = start === 0 && pathEnd === raw.length ? raw : raw.slice(start, pathEnd);
  let search = q === -1 ? "" : raw.slice(q, hash > q ? hash : raw.length);
  if (search === "?") search = "";
  return { pathname, search };
}

/**
 * The Location of the 308 Next answers when the path of a request target holds `//` or `\\` (R13), or
 * `null`: backslashes become slashes and runs of slashes collapse in the path (the part before the
 * first `?`), then the target is read as a URL — dot segments resolved, characters a URL may not hold
 * raw percent-encoded — and printed again with its query and fragment. One hop: a trailing slash
 * is left for the next request's redirect (R11), as next start does.
 */
export function repeatedSlashRedirect(target: Target, raw: string): string | null {
  const { pathname } = target;
  if (!pathname.includes("//") && !pathname.includes("\\")) return null;
  const collapsed = pathname.replace(/\\/g, "/").replace(/\/\/+/g, "/");
  const hash = raw.indexOf("#");
  try {
    const url = new URL(collapsed + target.search + (hash === -1 ? "" : raw.slice(hash)), "http://n");
    return url.pathname + url.search + url.hash;
  } catch {
    return collapsed + target.search;
  }
}

/**
 * Returns where a pathname with the wrong trailing slash must be redirected with 308 (R11, R12), or
 * `null` when it is canonical. The pathname has no `//` (see {@link repeatedSlashRedirect}).
 */
export function trailingSlashRedirect(pathname: string, trailingSlash: boolean): string | null {
  if (pathname.length <= 1) return null;
  const endsWithSlash = pathname.charCodeAt(pathname.length - 1) === 47;
  if (!trailingSlash && endsWithSlash) return pathname.slice(0, -1);
  if (trailingSlash && !endsWithSlash && !isFileLike(pathname)) return `${pathname}/`;
  if (trailingSlash && endsWithSlash && isFileLike(pathname.slice(0, -1))) return pathname.slice(0, -1);
  return null;
}

/** With `trailingSlash: true`, Next leaves paths whose last segment has an extension alone (except `.well-known`). */
function isFileLike(path: string): boolean {
  if (path.startsWith("/.well-known/") || path === "/.well-known") return false;
  const last = path.slice(path.lastIndexOf("/") + 1);
  return /\.\w+$/.test(last);
}

/** Strips the route-facing trailing slash (with `trailingSlash: true` routes are matched without it). */
export function routablePath(pathname: string): string {
  return pathname.length > 1 && pathname.charCodeAt(pathname.length - 1) === 47
    ? pathname.slice(0, -1)
    : pathname;
}

/**
 * A query parsed as Next parses it before routing (R43): values of a repeated key sit together in the
 * order the key first appeared, integer-like keys first, as with any object's keys. The object has no
 * prototype, so `__proto__` or `constructor` are keys like any other (security checklist item 7).
 */
export function groupQuery(search: string): Record<string, string[]> {
  const grouped: Record<string, string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(search)) {
    const values = grouped[key];
    if (values === undefined) grouped[key] = [value];
    else values.push(value);
  }
  return grouped;
}

/**
 * The query as Next hands it to a handler (R42, R43): grouped by {@link groupQuery} and printed again,
 * so a bare `c` becomes `c=`, spaces print as `+`, and an empty `?` disappears. `search` starts
 * with `?` or is "".
 */
export function canonicalSearch(search: string): string {
  if (search.length <= 1) return "";
  const grouped = groupQuery(search);
  const out = new URLSearchParams();
  for (const key in grouped) for (const value of grouped[key]!) out.append(key, value);
  const printed = out.toString();
  return printed === "" ? "" : `?${printed}`;
}

/**
 * The query of a redirect Next builds (R11, R149): the grouped query printed with
 * `encodeURIComponent` (`~` and `'()*!` stay, a space is `%20`). Returns "" or `?…`.
 */
export function printRedirectQuery(grouped: Record<string, string[]>): string {
  let out = "";
  for (const key in grouped) {
    const k = encodeURIComponent(key);
    for (const value of grouped[key]!) out += `${out === "" ? "?" : "&"}${k}=${encodeURIComponent(value)}`;
  }
  return out;
}

/** An absolute URL with its query printed as {@link canonicalSearch} does and without a fragment. */
export function canonicalUrl(url: string): string {
  const q = url.indexOf("?");
  // A fragment a client sent in the target never reaches a handler (R42), as in next start.
  const hash = url.indexOf("#");
  if (hash !== -1 && (q === -1 || hash < q)) return url.slice(0, hash);
  if (q === -1) return url;
  const search = hash === -1 ? url.slice(q) : url.slice(q, hash);
  return url.slice(0, q) + canonicalSearch(search);
}

/** Characters a WHATWG URL parser leaves alone in a path, and the dot segments it resolves. */
const PATH_NEEDS_PARSING = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]|\/\.|%2e/i;

/**
 * The pathname Next routes after parsing the target as a URL (R13, R16): `.` and `..` segments
 * (also written `%2e`) are resolved, so `/a/../b` is `/b` and a catch-all never receives `..`;
 * characters a URL may not hold raw are percent-encoded. `null` when the pathname is already so.
 * hot path: one regular-expression test for ordinary paths.
 */
export function resolvePathname(pathname: string): string | null {
  if (!PATH_NEEDS_PARSING.test(pathname)) return null;
  let resolved: string;
  try {
    resolved = new URL(pathname, "http://n").pathname;
  } catch {
    return null;
  }
  return resolved === pathname ? null : resolved;
}
