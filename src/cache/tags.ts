/**
 * Cache tags: validation and limits (R106, R113), the implicit `_N_T_` tags of a route (R94) and
 * the tags `revalidatePath` turns into (R110).
 * @module
 */

/** Prefix of implicit (path) tags (R94, R113). */
export const IMPLICIT_TAG_PREFIX = "_N_T_";
/** Longest accepted tag (R113). */
export const MAX_TAG_LENGTH = 256;
/** Most tags kept per entry (R113). */
export const MAX_TAGS = 128;
/** Longest path `revalidatePath` accepts (R113). */
export const MAX_PATH_LENGTH = 1024;

const OUTSIDE_HEADER_SAFE = /[^\t\x20-\x7e]/;
const OUTSIDE_HEADER_SAFE_RUNS = /[^\t\x20-\x7e]+/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A tag in the form Next stores and compares it (R113): every run of characters other than tab and
 * printable ASCII is percent-encoded as UTF-8, the rest kept byte for byte (so `café` and
 * `caf%C3%A9` are one tag, and an already encoded tag is unchanged). A lone surrogate, which has no
 * UTF-8 form, becomes U+FFFD first (Next throws a URIError there).
 */
export function headerSafeTag(tag: string): string {
  if (!OUTSIDE_HEADER_SAFE.test(tag)) return tag;
  return tag.replace(OUTSIDE_HEADER_SAFE_RUNS, (run) => {
    try {
      return encodeURIComponent(run);
    } catch {
      return encodeURIComponent(run.replace(LONE_SURROGATE, "\ufffd"));
    }
  });
}

/**
 * The form a concrete pathname takes in path tags (R94, R110): each segment percent-decoded where
 * it can be (a `/` inside a segment stays `%2F`), then made header-safe. The request's pathname and
 * the path given to `revalidatePath` go through it, so `/café`, `/caf%C3%A9` and `/caf%c3%a9` name
 * one path, and so do `/a b` and `/a%20b`.
 */
export function pathnameTagForm(pathname: string): string {
  if (pathname.includes("%")) {
    const parts = pathname.split("/");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (!part.includes("%")) continue;
      try {
        parts[i] = decodeURIComponent(part).replaceAll("/", "%2F");
      } catch {
        // A malformed escape: the segment is compared as written.
      }
    }
    pathname = parts.join("/");
  }
  return headerSafeTag(pathname);
}

/**
 * Filters the tags of one `cacheTag(...)`/`unstable_cache` call to those that can be stored (R113),
 * as Next does: a tag that is not a string or is longer than 256 characters is dropped, and a call
 * keeps at most 128 tags. Each problem produces one `warn` call naming `caller`; nothing throws.
 * The limit is per call (several calls on one entry add up, as in Next).
 */
export function acceptTags(
  tags: readonly unknown[],
  warn: (message: string) => void,
  caller = "cacheTag()",
): string[] {
  const accepted: string[] = [];
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i];
    if (typeof tag !== "string") {
      warn(`${caller}: ignoring a tag that is not a string (${tag === null ? "null" : typeof tag}).`);
      continue;
    }
    if (tag.length > MAX_TAG_LENGTH) {
      warn(
        `${caller}: tag "${tag.slice(0, 40)}…" is longer than ${MAX_TAG_LENGTH} characters and is ignored.`,
      );
      continue;
    }
    if (accepted.length >= MAX_TAGS) {
      warn(`${caller}: more than ${MAX_TAGS} tags in one call; "${tag}" and later tags are ignored.`);
      break;
    }
    accepted.push(headerSafeTag(tag));
  }
  return accepted;
}

/**
 * The implicit tags of a route handler request (R94): one `layout` tag per route segment prefix,
 * the `route` tag of the route key, and the concrete pathname.
 * Example: key `/users/[id]`, pathname `/users/1` → `_N_T_/layout`, `_N_T_/users/layout`,
 * `_N_T_/users/[id]/layout`, `_N_T_/users/[id]/route`, `_N_T_/users/1`.
 */
export function implicitTags(routeKey: string, pathname: string): string[] {
  const tags = [`${IMPLICIT_TAG_PREFIX}/layout`];
  const parts = headerSafeTag(routeKey)
    .split("/")
    .filter((p) => p !== "");
  let prefix = "";
  for (const part of parts) {
    prefix += `/${part}`;
    tags.push(`${IMPLICIT_TAG_PREFIX}${prefix}/layout`);
  }
  tags.push(`${IMPLICIT_TAG_PREFIX}${prefix === "" ? "/index" : prefix}/route`);
  let path = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
  if (path === "") path = "/";
  path = pathnameTagForm(path);
  tags.push(`${IMPLICIT_TAG_PREFIX}${path}`);
  if (path === "/") tags.push(`${IMPLICIT_TAG_PREFIX}/index`);
  return tags;
}

/**
 * The tags `revalidatePath(path, type)` invalidates (R110), or a reason it does nothing.
 */
export function pathTags(path: string, type?: "page" | "layout"): { tags: string[] } | { ignored: string } {
  // As in Next, a path that is no string (undefined, null, a number) fails the call: a TypeError the
  // caller sees (an unhandled one answers 500), nothing invalidated.
  if (typeof path !== "string")
    throw new TypeError(
      `revalidatePath(): the path must be a string, received ${path === null ? "null" : typeof path}.`,
    );
  if (path.length > MAX_PATH_LENGTH)
    return {
      ignored: `revalidatePath(): the path is longer than ${MAX_PATH_LENGTH} characters and is ignored.`,
    };
  if (type === undefined && /\[[^\]]+\]/.test(path))
    return {
      ignored: `revalidatePath("${path}") names a dynamic route pattern without a type and has no effect. Pass "page" or "layout" as the second argument, or a concrete path.`,
    };
  // "" stays "": its tag `_N_T_` names nothing (as in Next), while with a type it is the root.
  let normalized = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  // A concrete path is compared in decoded-then-header-safe form (see pathnameTagForm); with a type
  // it names route files (a pattern such as `/blog/[slug]`), whose tags are only made header-safe.
  normalized = type === undefined ? pathnameTagForm(normalized) : headerSafeTag(normalized);
  // With a type the tag names that file kind below the path: "layout" reaches every route handler
  // under it (their implicit `…/layout` tags), "page" reaches no route handler at all, as in Next.
  const tag =
    type === undefined
      ? `${IMPLICIT_TAG_PREFIX}${normalized}`
      : `${IMPLICIT_TAG_PREFIX}${normalized === "/" ? "" : normalized}/${type}`;
  const tags = [tag];
  if (tag === `${IMPLICIT_TAG_PREFIX}/`) tags.push(`${IMPLICIT_TAG_PREFIX}/index`);
  else if (tag === `${IMPLICIT_TAG_PREFIX}/index`) tags.push(`${IMPLICIT_TAG_PREFIX}/`);
  return { tags };
}
