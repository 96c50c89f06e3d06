/**
 * The route matcher: a segment trie built once at start-up and flattened into typed arrays, plus a
 * flat null-prototype map for fully static paths that is checked before any walk. Priority (R8) is structural — static, then `[param]`,
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
  /** Static children by exact folder name (build time only; matching uses {@link CompiledTrie}). */
  static: Map<string, Node<T>> | null;
  dynamic: Node<T> | null;
  dynamicName: string;
  dynamicFile: string;
  catchAll: TailRoute<T> | null;
  optional: TailRoute<T> | null;
  route: RouteEntry<T> | null;
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
    dynamic: null,
    dynamicName: "",
    dynamicFile: "",
    catchAll: null,
    optional: null,
    route: null,
  };
}

/** Slot of the static edge (parent, segment hash) in the edge table: parent mixed into the hash. */
function edgeSlot(parent: number, hash: number, mask: number): number {
  return (hash ^ Math.imul(parent + 1, 0x9e3779b1)) & mask;
}

// Per-node record in CompiledTrie.nodes (stride NODE_STRIDE); -1 means "none".
const N_ROUTE = 0;
const N_DYNAMIC = 1;
const N_CATCH_ALL = 2;
const N_OPTIONAL = 3;
const N_HAS_STATIC = 4;
const NODE_STRIDE = 5;
// Per-slot record in CompiledTrie.edges (stride EDGE_STRIDE); parent + 1, so 0 marks an empty slot.
const E_PARENT = 0;
const E_HASH = 1;
const E_CHILD = 2;
const E_OFFSET = 3;
const E_LENGTH = 4;
const EDGE_STRIDE = 5;

/**
 * The trie flattened into typed arrays for matching: one record per node, one open-addressed table
 * of every static edge keyed by (parent, FNV-1a of the folder name), and the folder names' UTF-16
 * code units in one pool. A level of the walk reads a node record and an edge slot and compares
 * code units in place — no object graph to chase, nothing sliced — so the cost per level stays flat
 * as the route count grows.
 */
interface CompiledTrie<T> {
  nodes: Int32Array;
  edges: Int32Array;
  mask: number;
  pool: Uint16Array;
  routes: RouteEntry<T>[];
}

function compileTrie<T>(root: Node<T>): CompiledTrie<T> {
  const order: Node<T>[] = [];
  const ids = new Map<Node<T>, number>();
  const visit = (node: Node<T>) => {
    ids.set(node, order.length);
    order.push(node);
    if (node.static !== null) for (const child of node.static.values()) visit(child);
    if (node.dynamic !== null) visit(node.dynamic);
  };
  visit(root);
  const routes: RouteEntry<T>[] = [];
  const routeIndex = (entry: RouteEntry<T> | null | undefined) =>
    entry === null || entry === undefined ? -1 : routes.push(entry) - 1;
  const nodes = new Int32Array(order.length * NODE_STRIDE);
  let edgeCount = 0;
  let poolLength = 0;
  for (const node of order) {
    const base = ids.get(node)! * NODE_STRIDE;
    nodes[base + N_ROUTE] = routeIndex(node.route);
    nodes[base + N_DYNAMIC] = node.dynamic === null ? -1 : ids.get(node.dynamic)!;
    nodes[base + N_CATCH_ALL] = routeIndex(node.catchAll?.route);
    nodes[base + N_OPTIONAL] = routeIndex(node.optional?.route);
    nodes[base + N_HAS_STATIC] = node.static === null ? 0 : 1;
    if (node.static !== null) {
      edgeCount += node.static.size;
      for (const key of node.static.keys()) poolLength += key.length;
    }
  }
  let size = 16;
  while (size < edgeCount * 2) size *= 2;
  const mask = size - 1;
  const edges = new Int32Array(size * EDGE_STRIDE);
  const pool = new Uint16Array(poolLength);
  let at = 0;
  for (const node of order) {
    if (node.static === null) continue;
    const parent = ids.get(node)!;
    for (const [key, child] of node.static) {
      const hash = hashOf(key);
      let slot = edgeSlot(parent, hash, mask);
      while (edges[slot * EDGE_STRIDE + E_PARENT] !== 0) slot = (slot + 1) & mask;
      const base = slot * EDGE_STRIDE;
      edges[base + E_PARENT] = parent + 1;
      edges[base + E_HASH] = hash;
      edges[base + E_CHILD] = ids.get(child)!;
      edges[base + E_OFFSET] = at;
      edges[base + E_LENGTH] = key.length;
      for (let i = 0; i < key.length; i++) pool[at++] = key.charCodeAt(i);
    }
  }
  return { nodes, edges, mask, pool, routes };
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
  const trie = compileTrie(root);

  // hot path: no allocation for static hits, one small array per dynamic hit.
  function match(pathname: string): RouteMatch<T> | null {
    const hit = staticMap[pathname];
    if (hit !== undefined) return { route: hit, values: [] };
    const values: (string | undefined)[] = [];
    const found = walk(trie, 0, pathname, 1, values);
    return found === -1 ? null : { route: trie.routes[found]!, values };
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

/** The child of `parent` through static folder `path[pos, end)` with hash `hash`, or -1. */
function staticChild<T>(
  trie: CompiledTrie<T>,
  parent: number,
  path: string,
  pos: number,
  end: number,
  hash: number,
): number {
  const { edges, mask, pool } = trie;
  const length = end - pos;
  // Linear probing; the table is at most half full, so a miss ends at an empty slot quickly.
  for (let slot = edgeSlot(parent, hash, mask); ; slot = (slot + 1) & mask) {
    const base = slot * EDGE_STRIDE;
    const owner = edges[base + E_PARENT]!;
    if (owner === 0) return -1;
    if (owner === parent + 1 && edges[base + E_HASH] === hash && edges[base + E_LENGTH] === length) {
      const offset = edges[base + E_OFFSET]!;
      let k = 0;
      while (k < length && path.charCodeAt(pos + k) === pool[offset + k]) k++;
      if (k === length) return edges[base + E_CHILD]!;
    }
  }
}

/**
 * Walks the trie from node `id` at `pos` (start of the next segment); returns a route index or -1.
 * Pushes raw param values onto `values` and pops them again when a branch fails, so backtracking
 * leaves no trace.
 */
function walk<T>(
  trie: CompiledTrie<T>,
  id: number,
  path: string,
  pos: number,
  values: (string | undefined)[],
): number {
  const nodes = trie.nodes;
  const base = id * NODE_STRIDE;
  if (pos >= path.length) {
    const route = nodes[base + N_ROUTE]!;
    if (route !== -1) return route;
    const optional = nodes[base + N_OPTIONAL]!;
    if (optional !== -1) values.push(undefined);
    return optional;
  }
  let end = pos;
  if (nodes[base + N_HAS_STATIC] === 1) {
    // One pass finds the segment's end and hashes it (FNV-1a over UTF-16 code units, as hashOf).
    let h = FNV_OFFSET;
    let encoded = false;
    for (; end < path.length; end++) {
      const c = path.charCodeAt(end);
      if (c === SLASH) break;
      if (c === PERCENT) encoded = true;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    let child = staticChild(trie, id, path, pos, end, h);
    if (child === -1 && encoded) {
      const decoded = canonicalDecode(path.slice(pos, end));
      if (decoded !== null) child = staticChild(trie, id, decoded, 0, decoded.length, hashOf(decoded));
    }
    if (child !== -1) {
      const found = walk(trie, child, path, end + 1, values);
      if (found !== -1) return found;
    }
  } else {
    end = path.indexOf("/", pos);
    if (end === -1) end = path.length;
  }
  const dynamic = nodes[base + N_DYNAMIC]!;
  if (dynamic !== -1) {
    values.push(path.slice(pos, end));
    const found = walk(trie, dynamic, path, end + 1, values);
    if (found !== -1) return found;
    values.pop();
  }
  const catchAll = nodes[base + N_CATCH_ALL]!;
  if (catchAll !== -1) {
    values.push(path.slice(pos));
    return catchAll;
  }
  const optional = nodes[base + N_OPTIONAL]!;
  if (optional !== -1) values.push(path.slice(pos));
  return optional;
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
