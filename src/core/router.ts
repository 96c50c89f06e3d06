/**
 * The route matcher: a segment trie built once at start-up, plus a flat null-prototype map for fully
 * static paths that is checked before any walk. Priority (R8) is structural — static, then `[param]`,
 * then `[...catchAll]`, then `[[...optional]]`, segment by segment with backtracking — so it never
 * depends on the order routes were added.
 * @module
 */
import { ApprouteError, ErrorCode } from "./errors.js";
import { routeKey, type Segment } from "./route-id.js";

/** One param of a route, in path order. */
export interface ParamSpec {
  name: string;
  kind: "dynamic" | "catchAll" | "optionalCatchAll";
}

/** What the router stores per route. `data` is whatever the caller attached (a module, a file…). */
export interface RouteEntry<T> {
  key: string;
  file: string;
  segments: readonly Segment[];
  params: readonly ParamSpec[];
  data: T;
}

/** A match: the route and the raw (still percent-encoded) param values in `route.params` order. */
export interface RouteMatch<T> {
  route: RouteEntry<T>;
  /** Raw values; a catch-all value is the rest of the path, `undefined` for an empty optional catch-all. */
  values: (string | undefined)[];
}

interface TailRoute<T> {
  name: string;
  route: RouteEntry<T>;
}

interface Node<T> {
  /** Static children by exact folder name; used while building and for the percent-encoded slow path. */
  static: Map<string, Node<T>> | null;
  /** The same children in an open-addressed table probed without slicing the path (see {@link seal}). */
  table: StaticTable<T> | null;
  dynamic: Node<T> | null;
  dynamicName: string;
  dynamicFile: string;
  catchAll: TailRoute<T> | null;
  optional: TailRoute<T> | null;
  route: RouteEntry<T> | null;
}

/**
 * A node's static children keyed by an FNV-1a hash of the folder name. The walk hashes a segment in
 * the same loop that finds its end, then probes here and confirms with `startsWith` at the segment's
 * offset, so a hit allocates nothing and never hashes a string twice.
 */
interface StaticTable<T> {
  mask: number;
  hashes: Int32Array;
  keys: string[];
  /** `null` marks an empty slot. */
  nodes: (Node<T> | null)[];
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const SLASH = 47;
const PERCENT = 37;

function hashOf(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

function newNode<T>(): Node<T> {
  return {
    static: null,
    table: null,
    dynamic: null,
    dynamicName: "",
    dynamicFile: "",
    catchAll: null,
    optional: null,
    route: null,
  };
}

/** Builds every node's probe table once all routes are in. */
function seal<T>(node: Node<T>): void {
  if (node.static !== null) {
    let size = 8;
    while (size < node.static.size * 2) size *= 2;
    const table: StaticTable<T> = {
      mask: size - 1,
      hashes: new Int32Array(size),
      keys: new Array<string>(size).fill(""),
      nodes: new Array<Node<T> | null>(size).fill(null),
    };
    for (const [key, child] of node.static) {
      const h = hashOf(key);
      let i = h & table.mask;
      while (table.nodes[i] !== null) i = (i + 1) & table.mask;
      table.hashes[i] = h;
      table.keys[i] = key;
      table.nodes[i] = child;
      seal(child);
    }
    node.table = table;
  }
  if (node.dynamic !== null) seal(node.dynamic);
}

function conflict(message: string, files: string[], hint: string): ApprouteError {
  return new ApprouteError(ErrorCode.ROUTE_CONFLICT, message, { location: { file: files[0]! }, hint });
}

/** A router over a fixed set of routes. Build with {@link createRouter}. */
export interface Router<T> {
  readonly routes: readonly RouteEntry<T>[];
  /** Matches a normalised, still-encoded pathname that starts with `/` (no `//`, no trailing `/`). */
  match(pathname: string): RouteMatch<T> | null;
}

/**
 * Builds the router. Throws `APR_ROUTE_CONFLICT` when two files resolve to one URL (R10), when sibling
 * dynamic folders use different names, or when an optional catch-all shadows its parent route.
 */
export function createRouter<T>(
  input: readonly { segments: readonly Segment[]; file: string; data: T }[],
): Router<T> {
  const root = newNode<T>();
  // A null-prototype object, not a Map: V8 probes it with the pathname's cached hash, measurably
  // faster than Map#get for this all-hits-or-one-miss use.
  const staticMap: Record<string, RouteEntry<T>> = Object.create(null);
  const routes: RouteEntry<T>[] = [];

  for (const item of input) {
    const params: ParamSpec[] = [];
    for (const s of item.segments) if (s.kind !== "static") params.push({ name: s.name, kind: s.kind });
    const entry: RouteEntry<T> = {
      key: routeKey(item.segments),
      file: item.file,
      segments: item.segments,
      params,
      data: item.data,
    };
    insert(root, entry);
    if (params.length === 0) staticMap[staticPath(item.segments)] = entry;
    routes.push(entry);
  }
  seal(root);

  // hot path: no allocation for static hits, one small array per dynamic hit.
  function match(pathname: string): RouteMatch<T> | null {
    const hit = staticMap[pathname];
    if (hit !== undefined) return { route: hit, values: [] };
    const values: (string | undefined)[] = [];
    const route = walk(root, pathname, 1, values);
    return route === null ? null : { route, values };
  }

  return { routes, match };
}

function staticPath(segments: readonly Segment[]): string {
  if (segments.length === 0) return "/";
  let path = "";
  for (const s of segments) path += `/${(s as { value: string }).value}`;
  return path;
}

function insert<T>(root: Node<T>, entry: RouteEntry<T>): void {
  let node = root;
  const segs = entry.segments;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    if (s.kind === "static") {
      node.static ??= new Map();
      let child = node.static.get(s.value);
      if (child === undefined) node.static.set(s.value, (child = newNode<T>()));
      node = child;
    } else if (s.kind === "dynamic") {
      if (node.dynamic) {
        if (node.dynamicName !== s.name) {
          throw conflict(
            `Sibling dynamic folders use different names: [${node.dynamicName}] in ${node.dynamicFile} and [${s.name}] in ${entry.file}.`,
            [entry.file, node.dynamicFile],
            `Rename one folder so both use the same parameter name, e.g. [${node.dynamicName}].`,
          );
        }
      } else {
        node.dynamic = newNode<T>();
        node.dynamicName = s.name;
        node.dynamicFile = entry.file;
      }
      node = node.dynamic;
    } else {
      const isOptional = s.kind === "optionalCatchAll";
      const other = isOptional ? node.catchAll : node.optional;
      if (other) {
        throw conflict(
          `${entry.file} and ${other.route.file} define a required and an optional catch-all at the same level (${entry.key} and ${other.route.key}).`,
          [entry.file, other.route.file],
          "Keep only one of the two catch-all folders.",
        );
      }
      const existing = isOptional ? node.optional : node.catchAll;
      if (existing) throw duplicate(entry, existing.route);
      if (isOptional && node.route) throw optionalShadow(entry, node.route);
      const tail = { name: s.name, route: entry };
      if (isOptional) node.optional = tail;
      else node.catchAll = tail;
      return;
    }
  }
  if (node.route) throw duplicate(entry, node.route);
  if (node.optional) throw optionalShadow(node.optional.route, entry);
  node.route = entry;
}

function duplicate<T>(a: RouteEntry<T>, b: RouteEntry<T>): ApprouteError {
  const files = [b.file, a.file].sort();
  return conflict(
    `Conflicting routes: ${files[0]} and ${files[1]} both resolve to ${a.key}.`,
    files,
    "Remove one of the files, or move one into a different folder (route groups like (name) do not change the URL).",
  );
}

function optionalShadow<T>(optional: RouteEntry<T>, plain: RouteEntry<T>): ApprouteError {
  return conflict(
    `${plain.file} (${plain.key}) has the same specificity as the optional catch-all ${optional.file} (${optional.key}): both match ${plain.key}.`,
    [plain.file, optional.file],
    "Remove the parent route, or turn the optional catch-all [[...x]] into a required one [...x].",
  );
}

/**
 * Walks the trie from `pos` (start of the next segment). Pushes raw param values onto `values` and
 * pops them again when a branch fails, so backtracking leaves no trace.
 */
function walk<T>(
  node: Node<T>,
  path: string,
  pos: number,
  values: (string | undefined)[],
): RouteEntry<T> | null {
  if (pos >= path.length) {
    if (node.route) return node.route;
    if (node.optional) {
      values.push(undefined);
      return node.optional.route;
    }
    return null;
  }
  let end = pos;
  const table = node.table;
  if (table !== null) {
    // One pass finds the segment's end and hashes it (FNV-1a over UTF-16 code units, as in hashOf).
    let h = FNV_OFFSET;
    let encoded = false;
    for (; end < path.length; end++) {
      const c = path.charCodeAt(end);
      if (c === SLASH) break;
      if (c === PERCENT) encoded = true;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    const length = end - pos;
    let child: Node<T> | null | undefined = null;
    // Linear probing; the table is at most half full, so a miss ends at an empty slot quickly.
    for (let i = h & table.mask; ; i = (i + 1) & table.mask) {
      const candidate = table.nodes[i];
      if (candidate === null) break;
      if (table.hashes[i] === h) {
        const key = table.keys[i]!;
        if (key.length === length && path.startsWith(key, pos)) {
          child = candidate;
          break;
        }
      }
    }
    if (child === null && encoded) {
      const decoded = canonicalDecode(path.slice(pos, end));
      if (decoded !== null) child = node.static!.get(decoded);
    }
    if (child !== null && child !== undefined) {
      const found = walk(child, path, end + 1, values);
      if (found) return found;
    }
  } else {
    end = path.indexOf("/", pos);
    if (end === -1) end = path.length;
  }
  if (node.dynamic !== null) {
    values.push(path.slice(pos, end));
    const found = walk(node.dynamic, path, end + 1, values);
    if (found) return found;
    values.pop();
  }
  if (node.catchAll !== null) {
    values.push(path.slice(pos));
    return node.catchAll.route;
  }
  if (node.optional !== null) {
    values.push(path.slice(pos));
    return node.optional.route;
  }
  return null;
}

/**
 * A static folder matches its own spelling or its one canonical percent-encoding
 * (`encodeURIComponent`: `caf%C3%A9`, `a%20b`), never another encoding of the same text:
 * `/api/%61dmin` is not `/api/admin`. A proxy that checks the pathname it sees then guards exactly
 * the routes the router serves (CVE-2024-51479 class). Next.js 16 matches neither form.
 */
function canonicalDecode(segment: string): string | null {
  try {
    const decoded = decodeURIComponent(segment);
    return encodeURIComponent(decoded) === segment ? decoded : null;
  } catch {
    return null;
  }
}

/**
 * Decodes raw match values into a plain params object (R5, R14, R16). Each segment is decoded
 * exactly once; catch-all values are split on `/` first. Returns `null` for a malformed escape (R15).
 */
export function decodeParams(
  specs: readonly ParamSpec[],
  values: readonly (string | undefined)[],
): Record<string, string | string[]> | null {
  const params: Record<string, string | string[]> = {};
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const raw = values[i];
    if (raw === undefined) continue; // R5: empty optional catch-all leaves the key out
    try {
      let value: string | string[];
      if (spec.kind === "dynamic") {
        value = raw.includes("%") ? decodeURIComponent(raw) : raw;
      } else {
        value = raw.split("/");
        for (let j = 0; j < value.length; j++)
          if (value[j]!.includes("%")) value[j] = decodeURIComponent(value[j]!);
      }
      // A folder named [__proto__] must become an own property, never the prototype.
      if (spec.name === "__proto__")
        Object.defineProperty(params, spec.name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else params[spec.name] = value;
    } catch {
      return null;
    }
  }
  return params;
}
