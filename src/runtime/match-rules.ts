/**
 * Path patterns and `has`/`missing` conditions shared by the proxy `config.matcher` (R126) and the
 * `next.config` `headers`/`redirects`/`rewrites` rules (R148–R150). Patterns use path-to-regexp 6
 * syntax (`/api/:path*`, `/(.*)`), the version Next.js compiles its matchers with. Everything here is
 * compiled once at start-up; matching is one `RegExp.exec` plus, only for rules with conditions, a
 * look at the request.
 * @module
 */
import { type Key, pathToRegexp } from "#deps/path-to-regexp";
import { ApprouteError, ErrorCode } from "../core/errors.js";

/** One `has` / `missing` condition. */
export interface Condition {
  type: "header" | "cookie" | "query" | "host";
  key?: string;
  value?: string;
}

/** What conditions can look at; built lazily, only for rules that have conditions. */
export interface MatchInput {
  headers(): Headers;
  query(): URLSearchParams;
  cookie(name: string): string | undefined;
}

export interface CompiledPattern {
  source: string;
  regexp: RegExp;
  keys: Key[];
  has?: Condition[];
  missing?: Condition[];
}

export type Params = Record<string, string | string[]>;

/** Compiles a path pattern. `what` names the option for error messages. */
export function compilePattern(
  source: unknown,
  what: string,
  options: { sensitive: boolean; code?: ErrorCode },
): CompiledPattern {
  const code = options.code ?? ErrorCode.INVALID_CONFIG;
  if (typeof source !== "string" || !source.startsWith("/")) {
    throw new ApprouteError(
      code,
      `${what}: the source ${JSON.stringify(source)} must be a string starting with "/".`,
      {
        hint: 'Write patterns like "/api/:path*" or "/blog/:slug".',
      },
    );
  }
  const keys: Key[] = [];
  try {
    const regexp = pathToRegexp(source, keys, { sensitive: options.sensitive, strict: false });
    return { source, regexp, keys };
  } catch (error) {
    throw new ApprouteError(
      code,
      `${what}: cannot parse the pattern ${JSON.stringify(source)}: ${(error as Error).message}`,
      {
        hint: "Patterns use path-to-regexp syntax: named parameters (:id), modifiers (:path*, :path+, :id?) and groups ((.*)).",
        cause: error,
      },
    );
  }
}

/** Validates a `has`/`missing` list. */
export function compileConditions(list: unknown, what: string): Condition[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw conditionError(what, list);
  for (const item of list) {
    if (
      typeof item !== "object" ||
      item === null ||
      !["header", "cookie", "query", "host"].includes((item as Condition).type) ||
      ((item as Condition).type !== "host" && typeof (item as Condition).key !== "string") ||
      ((item as Condition).value !== undefined && typeof (item as Condition).value !== "string")
    ) {
      throw conditionError(what, item);
    }
  }
  return list.length === 0 ? undefined : (list as Condition[]);
}

function conditionError(what: string, received: unknown): ApprouteError {
  return new ApprouteError(
    ErrorCode.INVALID_CONFIG,
    `${what}: invalid condition ${JSON.stringify(received)}.`,
    {
      hint: 'Each condition is { type: "header" | "cookie" | "query" | "host", key, value? } (host takes only value).',
    },
  );
}

/** Matches `pathname`; returns the captured params or null. */
export function matchPattern(pattern: CompiledPattern, pathname: string, input?: MatchInput): Params | null {
  const m = pattern.regexp.exec(pathname);
  if (m === null) return null;
  const params: Params = Object.create(null);
  for (let i = 0; i < pattern.keys.length; i++) {
    const key = pattern.keys[i]!;
    const value = m[i + 1];
    if (value === undefined) continue;
    params[String(key.name)] = key.modifier === "*" || key.modifier === "+" ? value.split("/") : value;
  }
  if (pattern.has === undefined && pattern.missing === undefined) return params;
  if (input === undefined) return null;
  if (pattern.has !== undefined) {
    for (const condition of pattern.has) if (!testCondition(condition, input, params)) return null;
  }
  if (pattern.missing !== undefined) {
    for (const condition of pattern.missing) if (testCondition(condition, input, undefined)) return null;
  }
  return params;
}

/**
 * The values of a query key the request repeats, captured by a condition without `value` (R148–R150).
 * A destination or header that repeats the param (`:to*`, `:to+`) takes them all, as in next start;
 * where one value goes (`:to`, `:to?`) it takes the last one — next start fails that request with 500,
 * which a client could then cause at will.
 */
const repeatedQuery = new WeakSet<string[]>();

/** `value` where a single value goes: the last of a repeated query key's values. */
function single(value: string | string[]): string | string[] {
  return Array.isArray(value) && repeatedQuery.has(value) ? value[value.length - 1]! : value;
}

/**
 * One condition, as next start tests it (R126, R148–R150): the value must be non-empty; a `value`
 * is a regex anchored at both ends, tested against the LAST value of a repeated query key (even an
 * empty one); its named groups become params, or `host` when a host regex has none; without `value`
 * the request's value is the param, named after the key's letters (a header's key lower-cased
 * first) — all the values of a repeated query key (see {@link repeatedQuery}), empty ones included.
 */
function testCondition(condition: Condition, input: MatchInput, params: Params | undefined): boolean {
  let value: string | undefined | null;
  let all: string[] | undefined;
  switch (condition.type) {
    case "header":
      value = input.headers().get(condition.key!);
      break;
    case "cookie":
      value = input.cookie(condition.key!);
      break;
    case "query": {
      const values = input.query().getAll(condition.key!);
      value = values[values.length - 1];
      if (values.length > 1) all = values;
      break;
    }
    case "host":
      value = input.headers().get("host")?.split(":", 1)[0]?.toLowerCase();
      break;
  }
  if (value === undefined || value === null || (value === "" && all === undefined)) return false;
  if (condition.value === undefined || condition.value === "") {
    if (params && condition.key) {
      const key = condition.type === "header" ? condition.key.toLowerCase() : condition.key;
      if (all !== undefined) repeatedQuery.add(all);
      params[key.replace(/[^a-zA-Z]/g, "")] = all ?? value;
    }
    return true;
  }
  const m = new RegExp(`^${condition.value}$`).exec(value);
  if (m === null) return false;
  if (params) {
    if (m.groups) {
      for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) params[k] = v;
    } else if (condition.type === "host" && m[0]) params.host = m[0];
  }
  return true;
}

/**
 * The value of cookie `name` as next start reads it for a condition (the `cookie` package's
 * parse): pairs split on `;`, name and value trimmed, one pair of double quotes dropped, the FIRST
 * pair of that name wins, and a value that does not percent-decode stays as sent.
 */
export function conditionCookie(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const pair of header.split(/; */)) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * Fills the path of a destination as Next compiles it (R149, R150): an optional `:name*` that the
 * source did not capture, or captured empty, disappears with the `/` before it
 * (`https://example.com/:path*` → `https://example.com`). Returns null when the destination needs a
 * parameter the match did not capture (an optional `:id?` of the source used as `:id`): next start
 * fails that request with 500.
 */
export function substitutePath(template: string, params: Params): string | null {
  if (!template.includes(":")) return template;
  let missing = false;
  const path = template.replace(
    /(\/?):([A-Za-z_][A-Za-z0-9_]*)([*+]?)/g,
    (_whole, slash: string, name: string, mod: string) => {
      let value = params[name];
      if (mod === "*" && (value === undefined || value.length === 0)) return "";
      if (value === undefined) {
        missing = true;
        return "";
      }
      if (mod === "") value = single(value);
      return slash + (Array.isArray(value) ? value.join("/") : value);
    },
  );
  return missing ? null : path;
}

/**
 * Substitutes `:name` (with an optional `*`, `+` or `?` modifier) in a header key or value or a
 * destination query value, as path-to-regexp compiles it for next start: a `/` or `.` right before
 * the name belongs to the parameter (it goes when an optional one has no value, and separates the
 * elements of a repeated one), any other character does not (`r-:rest*` with `["a", "b"]` gives
 * `r-ab`; `:rest*` alone gives `a/b`). Names the match did not capture stay as written.
 */
export function substitute(template: string, params: Params): string {
  if (!template.includes(":")) return template;
  // next start compiles `/${template}` and drops the first character of the result: a parameter
  // at the very start has `/` before it.
  return `/${template}`
    .replace(
      /([./]?):([A-Za-z_][A-Za-z0-9_]*)([*+?]?)/g,
      (whole, prefix: string, name: string, mod: string) => {
        if (!(name in params)) return whole;
        const value = mod === "*" || mod === "+" ? params[name]! : single(params[name]!);
        if (!Array.isArray(value)) return prefix + value;
        let out = "";
        for (const item of value) out += prefix + item;
        return out;
      },
    )
    .slice(1);
}
