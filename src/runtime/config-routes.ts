/**
 * `next.config` `headers()`, `redirects()` and `rewrites()` (R148–R150), compiled once at start-up.
 * Sources match the path inside `basePath` (unless a rule says `basePath: false`), case-insensitively
 * as in Next. Captures are substituted into destinations; a capture is never allowed into the
 * authority of an external destination (the hostname-steering SSRF class, see
 * shared research on CVE-2026-64645) — such a rule is refused at start.
 * @module
 */
import { type Key, pathToRegexp } from "#deps/path-to-regexp";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import { groupQuery, printRedirectQuery } from "../core/url.js";
import {
  type CompiledPattern,
  compileConditions,
  compilePattern,
  type MatchInput,
  matchPattern,
  type Params,
  substitute,
  substitutePath,
} from "./match-rules.js";

export interface HeaderRule {
  pattern: CompiledPattern;
  /** Match the full path including basePath. */
  raw: boolean;
  headers: Array<{ key: string; value: string }>;
}

export interface RedirectRule {
  pattern: CompiledPattern;
  raw: boolean;
  destination: string;
  status: number;
  /** Prefix basePath to an internal destination. */
  prefixBasePath: boolean;
}

export interface RewriteRule {
  pattern: CompiledPattern;
  raw: boolean;
  destination: string;
  /** The destination is an absolute URL on another server. */
  external: boolean;
}

export interface ConfigRoutes {
  headers: HeaderRule[];
  redirects: RedirectRule[];
  beforeFiles: RewriteRule[];
  afterFiles: RewriteRule[];
  fallback: RewriteRule[];
  /** Any rule has has/missing conditions: the request must be described to match. */
  conditional: boolean;
}

function fail(key: string, message: string, hint: string): ApprouteError {
  return new ApprouteError(ErrorCode.INVALID_CONFIG, `Invalid next.config option "${key}": ${message}`, {
    hint,
  });
}

function list(value: unknown, key: string): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (typeof value === "function") {
    throw fail(
      key,
      "the function was not resolved before the app was created.",
      "Pass the config through loadConfigExport() (approute build does this), which awaits headers()/redirects()/rewrites().",
    );
  }
  if (!Array.isArray(value))
    throw fail(
      key,
      `expected an array, received ${JSON.stringify(value)}.`,
      `${key}() must return an array of rules.`,
    );
  value.forEach((item, i) => {
    if (typeof item !== "object" || item === null)
      throw fail(
        `${key}[${i}]`,
        `expected an object, received ${JSON.stringify(item)}.`,
        "Each rule is an object with a source.",
      );
  });
  return value as Record<string, unknown>[];
}

function pattern(rule: Record<string, unknown>, key: string): { pattern: CompiledPattern; raw: boolean } {
  const compiled = compilePattern(rule.source, `next.config ${key}`, { sensitive: false });
  const has = compileConditions(rule.has, `next.config ${key}.has`);
  const missing = compileConditions(rule.missing, `next.config ${key}.missing`);
  if (has) compiled.has = has;
  if (missing) compiled.missing = missing;
  if (rule.basePath !== undefined && rule.basePath !== false)
    throw fail(
      `${key}.basePath`,
      "must be false or absent.",
      "Use basePath: false to match paths outside basePath.",
    );
  return { pattern: compiled, raw: rule.basePath === false };
}

function destination(rule: Record<string, unknown>, key: string): { value: string; external: boolean } {
  const value = rule.destination;
  if (typeof value !== "string" || value === "")
    throw fail(
      `${key}.destination`,
      `expected a path or URL, received ${JSON.stringify(value)}.`,
      'Example: destination: "/api/items/:id".',
    );
  if (value.startsWith("/")) return { value: encodePathText(value, 0), external: false };
  let url: URL;
  try {
    url = new URL(value.replace(/:([A-Za-z_][A-Za-z0-9_]*)[*+?]?/g, "x"));
  } catch {
    throw fail(
      `${key}.destination`,
      `${JSON.stringify(value)} is neither a path starting with "/" nor an absolute URL.`,
      'Use "/internal/path" or "https://host/path".',
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw fail(
      `${key}.destination`,
      `only http and https URLs are supported, received ${JSON.stringify(value)}.`,
      "Use an http(s) URL.",
    );
  const authorityEnd = value.indexOf("/", value.indexOf("//") + 2);
  const authority = value.slice(0, authorityEnd === -1 ? value.length : authorityEnd);
  if (/:[A-Za-z_]/.test(authority.slice(authority.indexOf("//") + 2))) {
    throw fail(
      `${key}.destination`,
      `${JSON.stringify(value)} puts a parameter into the host. approute never lets request data choose the server it connects to.`,
      "Keep the host fixed and move the parameter into the path or query.",
    );
  }
  return { value: encodePathText(value, authorityEnd === -1 ? value.length : authorityEnd), external: true };
}

/**
 * The path of a destination (from `start` to its query) as a URL parser writes it, as next start
 * does (R149, R150): non-ASCII characters as UTF-8 escapes (`/ñ` → `/%C3%B1`), and controls,
 * spaces, `"`, `<`, `>` and `` ` `` escaped; escapes already written and param syntax stay.
 */
function encodePathText(value: string, start: number): string {
  const q = value.indexOf("?", start);
  const end = q === -1 ? value.length : q;
  const path = value.slice(start, end);
  if (!/[^\x21-\x7e]|["<>`]/.test(path)) return value;
  const encoded = path.replace(/[^\x21-\x7e]|["<>`]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return "%EF%BF%BD"; // a lone surrogate: U+FFFD, as a URL parser writes it
    }
  });
  return value.slice(0, start) + encoded + value.slice(end);
}

/**
 * R149/R150: a path destination may only use params its source or a `has` condition captures (a
 * key without a value, a named group in a value, `host` for a host value), as `next build` checks;
 * otherwise every request it matches would fail. Unnamed groups (`:0`) cannot be used at all.
 */
function checkDestinationParams(compiled: CompiledPattern, value: string, key: string): void {
  if (!value.startsWith("/") || !value.includes(":")) return;
  const fromSource = new Set<string>();
  for (const k of compiled.keys) {
    if (typeof k.name === "string") fromSource.add(k.name);
    else if (new RegExp(`:${k.name}(?!\\d)`).test(value))
      throw fail(
        `${key}.destination`,
        `${JSON.stringify(value)} uses the unnamed group :${k.name} of its source.`,
        `Name the group in source (for example "/:slug(\\d+)") and use that name in destination.`,
      );
  }
  for (const condition of compiled.has ?? []) {
    if (condition.value === undefined) {
      if (condition.key !== undefined) fromSource.add(condition.key);
      continue;
    }
    for (const group of condition.value.matchAll(/\(\?<([a-zA-Z][a-zA-Z0-9]*)>/g)) fromSource.add(group[1]!);
    if (condition.type === "host") fromSource.add("host");
  }
  // The path (and fragment) of the destination, as next build reads it; the query may hold any text.
  const q = value.indexOf("?");
  const hash = value.indexOf("#");
  const path = q === -1 ? value : value.slice(0, q) + (hash > q ? value.slice(hash) : "");
  const used: Key[] = [];
  try {
    pathToRegexp(path, used);
  } catch {
    return; // not a pattern path-to-regexp reads; substitution handles it per request
  }
  const missing = used
    .map((k) => k.name)
    .filter((name): name is string => typeof name === "string" && !fromSource.has(name));
  if (missing.length > 0)
    throw fail(
      `${key}.destination`,
      `${JSON.stringify(value)} uses ${missing.map((n) => `:${n}`).join(", ")}, which neither its source ${JSON.stringify(compiled.source)} nor a has condition captures.`,
      'Capture it in source ("/old/:name"), or in has (a key without value, or a named group in value), or drop it from destination.',
    );
}

/** Validates and compiles the resolved `headers`, `redirects` and `rewrites` arrays. */
export function compileConfigRoutes(raw: Record<string, unknown>): ConfigRoutes {
  const headers = list(raw.headers, "headers").map((rule, i): HeaderRule => {
    const key = `headers[${i}]`;
    const entries = rule.headers;
    if (
      !Array.isArray(entries) ||
      entries.some((h) => typeof h?.key !== "string" || typeof h?.value !== "string")
    )
      throw fail(
        `${key}.headers`,
        `expected [{ key, value }], received ${JSON.stringify(entries)}.`,
        'Example: headers: [{ key: "x-frame-options", value: "DENY" }].',
      );
    for (const h of entries as Array<{ key: string; value: string }>) {
      try {
        // Params (`x-:id`) are filled per request; what is written around them must be valid.
        new Headers([[h.key.replace(/:[A-Za-z_][A-Za-z0-9_]*[*+?]?/g, "p"), h.value]]);
      } catch {
        throw fail(
          `${key}.headers`,
          `${JSON.stringify(h)} is not a valid header.`,
          "Header names are tokens; values may not contain CR or LF.",
        );
      }
    }
    return { ...pattern(rule, key), headers: entries as HeaderRule["headers"] };
  });

  const redirects = list(raw.redirects, "redirects").map((rule, i): RedirectRule => {
    const key = `redirects[${i}]`;
    const { value } = destination(rule, key);
    let status: number;
    if (rule.statusCode !== undefined) {
      status = rule.statusCode as number;
      if (![301, 302, 303, 307, 308].includes(status))
        throw fail(
          `${key}.statusCode`,
          `expected 301, 302, 303, 307 or 308, received ${JSON.stringify(status)}.`,
          "Or use permanent: true/false.",
        );
    } else if (typeof rule.permanent === "boolean") status = rule.permanent ? 308 : 307;
    else
      throw fail(
        `${key}.permanent`,
        `expected a boolean, received ${JSON.stringify(rule.permanent)}.`,
        "permanent: true → 308, false → 307.",
      );
    const { pattern: p, raw: r } = pattern(rule, key);
    checkDestinationParams(p, value, key);
    return { pattern: p, raw: r, destination: value, status, prefixBasePath: rule.basePath !== false };
  });

  const rewritesValue = raw.rewrites;
  let groups: { beforeFiles?: unknown; afterFiles?: unknown; fallback?: unknown };
  if (Array.isArray(rewritesValue) || rewritesValue === undefined || typeof rewritesValue === "function")
    groups = { afterFiles: rewritesValue };
  else if (typeof rewritesValue === "object" && rewritesValue !== null)
    groups = rewritesValue as typeof groups;
  else
    throw fail(
      "rewrites",
      `expected an array or { beforeFiles, afterFiles, fallback }, received ${JSON.stringify(rewritesValue)}.`,
      "rewrites() returns an array or an object of three arrays.",
    );
  const rewrites = (name: "beforeFiles" | "afterFiles" | "fallback") =>
    list(groups[name], `rewrites.${name}`).map((rule, i): RewriteRule => {
      const key = `rewrites.${name}[${i}]`;
      const { value, external } = destination(rule, key);
      const compiled = pattern(rule, key);
      // R146/R150: as next build, a rewrite that leaves basePath must go to another server.
      if (compiled.raw && !external)
        throw fail(
          `${key}.basePath`,
          `the rule for ${JSON.stringify(rule.source)} has basePath: false, so its destination ${JSON.stringify(value)} would be outside basePath.`,
          'Rewrite outside basePath only to an external URL ("https://host/path"), or drop basePath: false.',
        );
      checkDestinationParams(compiled.pattern, value, key);
      return { ...compiled, destination: value, external };
    });
  const routes: ConfigRoutes = {
    headers,
    redirects,
    beforeFiles: rewrites("beforeFiles"),
    afterFiles: rewrites("afterFiles"),
    fallback: rewrites("fallback"),
    conditional: false,
  };
  routes.conditional = [
    ...routes.headers,
    ...routes.redirects,
    ...routes.beforeFiles,
    ...routes.afterFiles,
    ...routes.fallback,
  ].some((r) => r.pattern.has !== undefined || r.pattern.missing !== undefined);
  return routes;
}

/** True when there is nothing to apply (the request path skips this module entirely). */
export function isEmpty(routes: ConfigRoutes): boolean {
  return (
    routes.headers.length === 0 &&
    routes.redirects.length === 0 &&
    routes.beforeFiles.length === 0 &&
    routes.afterFiles.length === 0 &&
    routes.fallback.length === 0
  );
}

/** The headers of every matching `headers()` rule, later rules overriding earlier ones (R148). */
export function matchHeaders(
  rules: HeaderRule[],
  pathname: string | null,
  fullPath: string,
  input: MatchInput | undefined,
): Headers | undefined {
  let out: Headers | undefined;
  for (const rule of rules) {
    const path = rule.raw ? fullPath : pathname;
    if (path === null) continue;
    const params = matchPattern(rule.pattern, path, input);
    if (params === null) continue;
    out ??= new Headers();
    // As next start: names and values take the params; a later rule's value replaces an earlier
    // one, except Set-Cookie, which adds a cookie.
    for (const { key, value } of rule.headers) {
      const name = substitute(key, params);
      const text = substitute(value, params);
      try {
        if (name.toLowerCase() === "set-cookie") out.append(name, text);
        else out.set(name, text);
      } catch {
        // A param that makes the name or value invalid (a CR, LF or non-token name): left out.
      }
    }
  }
  return out;
}

/**
 * Builds `destination` with params and the request query, as next start does (R149, R150): the
 * request's query grouped by key, the destination's keys replacing the request's values in place
 * or appended. `kind`:
 * - `"internal"` (a rewrite to a route here): every key and value printed with `encodeURIComponent`
 *   (only the path matters: the handler sees the requested URL).
 * - `"redirect"`: keys and values that came with the request are encoded (next start compares by
 *   value); the destination's own are left as they are — a path param keeps the escapes the client
 *   sent (`a%2Fb`, not `a%252Fb`) — except what would end the value or the URL (see {@link keepRaw}).
 * - `"external"` (a rewrite to another server): printed as a redirect, and when the destination
 *   uses none of the params, they are added to its query (those it does not set itself).
 * Null when the destination path needs a param the match did not capture.
 */
export function buildDestination(
  template: string,
  params: Params,
  search: string,
  kind: "internal" | "redirect" | "external" = "internal",
): { path: string; search: string } | null {
  const q = template.indexOf("?");
  const pathTemplate = q === -1 ? template : template.slice(0, q);
  const path = substitutePath(pathTemplate, params);
  if (path === null) return null;
  const names = kind === "external" ? paramNames(params) : [];
  if (search === "" && q === -1 && names.length === 0) return { path, search: "" };
  const query = groupQuery(search);
  const sent = new Set<string>();
  if (kind !== "internal") {
    for (const key in query) {
      sent.add(key);
      for (const value of query[key]!) sent.add(value);
    }
  }
  const own = q === -1 ? Object.create(null) : groupQuery(template.slice(q + 1));
  // Each value of the destination's own query takes the params (keys do not), after parsing, so
  // a param holding `&` or `=` stays inside its value.
  for (const key in own) query[key] = own[key]!.map((value: string) => substitute(value, params));
  if (names.length > 0 && !names.some((name) => new RegExp(`:${name}(?![\\w])`).test(pathTemplate))) {
    for (const name of names) {
      if (name in own) continue;
      const value = params[name]!;
      query[name] = Array.isArray(value) ? value : [value];
    }
  }
  if (kind === "internal") return { path, search: printRedirectQuery(query) };
  const print = (text: string) => (sent.has(text) ? encodeURIComponent(text) : keepRaw(text));
  let out = "";
  for (const key in query) {
    const k = print(key);
    for (const value of query[key]!) out += `${out === "" ? "?" : "&"}${k}=${print(value)}`;
  }
  return { path, search: out };
}

/** The named params (next start drops unnamed groups' captures from rule params). */
function paramNames(params: Params): string[] {
  return Object.keys(params).filter((name) => !/^\d+$/.test(name));
}

/**
 * A destination's own query text as next start prints it in a redirect (as is), except what would
 * change the URL's shape or cannot go in a header: `&`, `#`, a `%` that starts no escape, spaces,
 * controls and non-ASCII are percent-encoded. next start sends those raw, so a captured cookie or
 * header value could add query parameters to the Location; approute never lets it.
 */
function keepRaw(text: string): string {
  return text.replace(/[^!"$%'-~]|%(?![0-9A-Fa-f]{2})/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return "%EF%BF%BD"; // a lone surrogate: U+FFFD, as a URL parser would print it
    }
  });
}

/** The params when `rule` matches (`pathname`: inside basePath, null outside; `fullPath`: all). */
export function matchRule(
  rule: { pattern: CompiledPattern; raw: boolean },
  pathname: string | null,
  fullPath: string,
  input: MatchInput | undefined,
): Params | null {
  const path = rule.raw ? fullPath : pathname;
  return path === null ? null : matchPattern(rule.pattern, path, input);
}

/**
 * The first matching rule and its params. `pathname` is the path inside basePath (null: outside
 * it, where only `basePath: false` rules, which see `fullPath`, can match).
 */
export function firstMatch<R extends { pattern: CompiledPattern; raw: boolean }>(
  rules: R[],
  pathname: string | null,
  fullPath: string,
  input: MatchInput | undefined,
): { rule: R; params: Params } | null {
  for (const rule of rules) {
    const params = matchRule(rule, pathname, fullPath, input);
    if (params !== null) return { rule, params };
  }
  return null;
}
