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
    const scheme = raw.startsWith("http://") ? 7 : raw.startsWith("https://") ? 8 : -1;
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
 * Returns where a non-canonical pathname must be redirected with 308, or `null` when it is canonical.
 * `//` and `\` collapse to one `/` (R13); trailing slashes follow `trailingSlash` (R11, R12).
 */
export function canonicalRedirect(pathname: string, trailingSlash: boolean): string | null {
  let path = pathname;
  if (path.includes("//") || path.includes("\\")) {
    path = path.replace(/[\\/]+/g, "/");
  }
  if (path.length > 1) {
    const endsWithSlash = path.charCodeAt(path.length - 1) === 47;
    if (!trailingSlash && endsWithSlash) {
      path = path.replace(/\/+$/, "") || "/";
    } else if (trailingSlash && !endsWithSlash && !isFileLike(path)) {
      path = `${path}/`;
    } else if (trailingSlash && endsWithSlash && isFileLike(path.slice(0, -1))) {
      path = path.slice(0, -1);
    }
  }
  return path === pathname ? null : path;
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
 * The query as Next hands it to a handler (R42, R43): Next parses the search into an object of
 * key → value(s) and prints it again, so values of a repeated key sit together in the order the
 * key first appeared (integer-like keys first, as with any plain object's keys), a bare `c`
 * becomes `c=`, spaces print as `+`, and an empty `?` disappears. `search` starts with `?` or is "".
 */
export function canonicalSearch(search: string): string {
  if (search.length <= 1) return "";
  const grouped: Record<string, string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(search)) {
    const values = grouped[key];
    if (values === undefined) grouped[key] = [value];
    else values.push(value);
  }
  const out = new URLSearchParams();
  for (const key in grouped) for (const value of grouped[key]!) out.append(key, value);
  const printed = out.toString();
  return printed === "" ? "" : `?${printed}`;
}

/** An absolute URL with its query printed as {@link canonicalSearch} does; URLs without `?` are returned as is. */
export function canonicalUrl(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return url;
  const hash = url.indexOf("#", q);
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
