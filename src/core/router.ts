/**
 * The route matcher: a segment trie built once at start-up and flattened into one typed array, plus
 * a flat null-prototype map for fully static paths that is checked before any walk (behind a small
 * filter that turns most other paths away without asking V8). Priority (R8) is structural — static, then `[param]`,
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
  readonly values: readonly (string | undefined)[];
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

// A node record (in the node region, and copied into every edge that leads to the node), as Int32
// offsets from the record's start; -1 means "none". Node records are addressed by their index in
// CompiledTrie.table, so a static edge hands the walk its child's record in the same cache line.
const N_ID = 0; // the node's number: the parent key of its static edges, and its row in `tails`
const N_ROUTE = 1;
const N_DYNAMIC = 2; // table index of the [param] child's node record
const N_FLAGS = 3;
const N_ONLY = 4; // with F_ONLY: table index of the only static child's record (node region: depth-first, it follows its parent)
const N_ONLY_NAME = 5; // … and that child's folder name: offset in CompiledTrie.units
const N_ONLY_LENGTH = 6; // … and its length
const NODE_STRIDE = 8;
const F_STATIC = 1; // has static children
const F_BRANCH = 2; // has a [param], [...catchAll] or [[...optional]] child: a static miss below may backtrack here
const F_TAIL = 4; // has a [...catchAll] or [[...optional]] child (route indices in CompiledTrie.tails)
// Exactly one static child, whose name encodeURIComponent leaves alone: the walk compares the
// segment with that name in place — no hash, no probe — and a mismatch ends the step at once.
const F_ONLY = 8;
// An edge slot (stride EDGE_STRIDE, 48 bytes): key, then a copy of the child's node record.
const E_PARENT = 0; // parent id + 1; 0 marks an empty slot
const E_HASH = 1;
const E_LENGTH = 2;
const E_NAME = 3; // offset of the folder name's code units in CompiledTrie.units
const E_NODE = 4; // the child's node record
const EDGE_STRIDE = 12;

/**
 * The trie flattened into typed arrays for matching: node records (root first) followed by one
 * open-addressed table of every static edge keyed by (parent, FNV-1a of the folder name), and the
 * distinct folder names' code units in one pool (a name shared by many routes — "edit", "items" —
 * is stored once and stays in cache). A level of the walk reads one 48-byte edge slot, which holds
 * the child's record too, so the cost per level stays flat as the route count grows.
 */
interface CompiledTrie<T> {
  table: Int32Array;
  units: Uint16Array;
  /** [catch-all route, optional catch-all route] per node id; read only for nodes with F_TAIL. */
  tails: Int32Array;
  edgeStart: number;
  mask: number;
  /** Backtracking stack of the walk (4 ints per branch point); one match runs at a time. */
  stack: Int32Array;
  /** Start and end of each param value found so far (start -1: an empty optional catch-all). */
  marks: Int32Array;
  /** How many params the last successful walk marked. */
  params: number;
  /** The current segment's code units, as far as the longest static folder name reaches. */
  segment: Uint16Array;
  routes: RouteEntry<T>[];
}

/**
 * Whether the walk reads `node`'s static child in place (F_ONLY): exactly one, with a name that
 * encodeURIComponent leaves alone. Such an edge never enters the edge table, which stays smaller.
 */
function onlyChild<T>(node: Node<T>): [string, Node<T>] | null {
  if (node.static === null || node.static.size !== 1) return null;
  const entry = node.static.entries().next().value!;
  return encodeURIComponent(entry[0]) === entry[0] ? entry : null;
}

function compileTrie<T>(root: Node<T>): CompiledTrie<T> {
  const order: Node<T>[] = [];
  const ids = new Map<Node<T>, number>();
  let depth = 0;
  const visit = (node: Node<T>, level: number) => {
    ids.set(node, order.length);
    order.push(node);
    if (level > depth) depth = level;
    if (node.static !== null) for (const child of node.static.values()) visit(child, level + 1);
    if (node.dynamic !== null) visit(node.dynamic, level + 1);
  };
  visit(root, 0);
  const routes: RouteEntry<T>[] = [];
  const routeIndex = (entry: RouteEntry<T> | null | undefined) =>
    entry === null || entry === undefined ? -1 : routes.push(entry) - 1;
  let edgeCount = 0;
  let longest = 0;
  const names = new Map<string, number>();
  let poolLength = 0;
  for (const node of order) {
    if (node.static === null) continue;
    if (onlyChild(node) === null) edgeCount += node.static.size;
    for (const key of node.static.keys()) {
      if (key.length > longest) longest = key.length;
      if (names.has(key)) continue;
      names.set(key, poolLength);
      poolLength += key.length;
    }
  }
  const units = new Uint16Array(poolLength);
  for (const [key, offset] of names)
    for (let i = 0; i < key.length; i++) units[offset + i] = key.charCodeAt(i);
  let size = 16;
  while (size < edgeCount * 2) size *= 2;
  const mask = size - 1;
  const edgeStart = Math.ceil((order.length * NODE_STRIDE) / EDGE_STRIDE) * EDGE_STRIDE;
  const table = new Int32Array(edgeStart + size * EDGE_STRIDE);
  const tails = new Int32Array(order.length * 2);
  // Slots first: each static edge's slot also gets a copy of its child's record, below.
  const slotOf = new Map<Node<T>, number>();
  for (const node of order) {
    if (node.static === null || onlyChild(node) !== null) continue;
    const parent = ids.get(node)!;
    for (const [key, child] of node.static) {
      const hash = hashOf(key);
      let slot = edgeSlot(parent, hash, mask);
      while (table[edgeStart + slot * EDGE_STRIDE + E_PARENT] !== 0) slot = (slot + 1) & mask;
      const base = edgeStart + slot * EDGE_STRIDE;
      table[base + E_PARENT] = parent + 1;
      table[base + E_HASH] = hash;
      table[base + E_LENGTH] = key.length;
      table[base + E_NAME] = names.get(key)!;
      slotOf.set(child, base);
    }
  }
  const record = (node: Node<T>, at: number, route: number) => {
    table[at + N_ID] = ids.get(node)!;
    table[at + N_ROUTE] = route;
    table[at + N_DYNAMIC] = node.dynamic === null ? -1 : ids.get(node.dynamic)! * NODE_STRIDE;
    const tail = node.catchAll !== null || node.optional !== null;
    const single = onlyChild(node);
    const only = single !== null;
    if (single !== null) {
      const [key, child] = single;
      table[at + N_ONLY] = ids.get(child)! * NODE_STRIDE;
      table[at + N_ONLY_NAME] = names.get(key)!;
      table[at + N_ONLY_LENGTH] = key.length;
    }
    table[at + N_FLAGS] =
      (node.static === null ? 0 : F_STATIC) |
      (node.dynamic !== null || tail ? F_BRANCH : 0) |
      (tail ? F_TAIL : 0) |
      (only ? F_ONLY : 0);
  };
  for (const node of order) {
    const id = ids.get(node)!;
    const route = routeIndex(node.route);
    record(node, id * NODE_STRIDE, route);
    tails[id * 2] = routeIndex(node.catchAll?.route);
    tails[id * 2 + 1] = routeIndex(node.optional?.route);
    const base = slotOf.get(node);
    if (base !== undefined) record(node, base + E_NODE, route);
  }
  return {
    table,
    units,
    tails,
    edgeStart,
    mask,
    stack: new Int32Array((depth + 1) * 4),
    marks: new Int32Array((depth + 1) * 2),
    params: 0,
    segment: new Uint16Array(longest + 1),
    routes,
  };
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
  // A Map, not a null-prototype object: a request's pathname is a fresh string each time, and V8
  // looks a fresh string up as an object key by first finding it in the isolate-wide string table;
  // Map#get hashes it (the hash stays on the string) and compares. Fresh pathnames, best of 5:
  // 183-239 -> 139-191 ns per static hit including making the string. (With the same string
  // objects asked again, as in the router bench, the object wins: V8 has turned them into
  // references to the table's copy.) Each static route's match is built once and frozen: a static
  // hit allocates nothing.
  const staticMap = new Map<string, RouteMatch<T>>();
  // Before the Map can say a pathname is not a key it hashes all of it and probes a table of
  // thousands of entries once an app has thousands of routes (cache misses). This 8 KB bit set of (length, last two code units) of every static path answers "not a static
  // path" first for most other pathnames. It only ever skips the map: the walk finds every route.
  const staticFilter = new Int32Array(STATIC_FILTER_BITS >>> 5);
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
    if (params.length === 0) {
      const path = staticPath(item.segments);
      staticMap.set(path, Object.freeze({ route: entry, values: NO_VALUES }));
      const bit = filterBit(path);
      staticFilter[bit >>> 5]! |= 1 << (bit & 31);
    }
    routes.push(entry);
  }
  const trie = compileTrie(root);

  // hot path: no allocation for static hits, a match and one small array per dynamic hit.
  function match(pathname: string): RouteMatch<T> | null {
    const bit = filterBit(pathname);
    if ((staticFilter[bit >>> 5]! & (1 << (bit & 31))) !== 0) {
      const hit = staticMap.get(pathname);
      if (hit !== undefined) return hit;
    }
    const found = walk(trie, pathname);
    if (found === -1) return null;
    return { route: trie.routes[found]!, values: paramValues(trie.marks, trie.params, pathname) };
  }

  return { routes, match };
}

const STATIC_FILTER_BITS = 1 << 16;
const NO_VALUES: readonly (string | undefined)[] = Object.freeze([]);

/** The bit of `path` in the static-path filter: its length and last two code units, mixed. */
function filterBit(path: string): number {
  const n = path.length;
  return (
    (Math.imul(n, 0x9e3779b1) ^ (path.charCodeAt(n - 1) << 8) ^ (path.charCodeAt(n - 2) << 1)) &
    (STATIC_FILTER_BITS - 1)
  );
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
 * The table index of the node record behind static edge (parent, `trie.segment[0, length)`,
 * `hash`), or -1. The caller has copied the segment's code units into `trie.segment`.
 */
function staticChild<T>(trie: CompiledTrie<T>, parent: number, length: number, hash: number): number {
  const { table, units, edgeStart, mask, segment } = trie;
  const key = parent + 1;
  // Linear probing; the table is at most half full, so a miss ends at an empty slot quickly.
  for (let slot = edgeSlot(parent, hash, mask); ; slot = (slot + 1) & mask) {
    const base = edgeStart + slot * EDGE_STRIDE;
    const owner = table[base + E_PARENT]!;
    if (owner === 0) return -1;
    if (owner === key && table[base + E_HASH] === hash && table[base + E_LENGTH] === length) {
      const name = table[base + E_NAME]!;
      let k = 0;
      while (k < length && segment[k] === units[name + k]) k++;
      if (k === length) return base + E_NODE;
    }
  }
}

/** {@link staticChild} for the decoded form of a percent-encoded segment. */
function decodedChild<T>(trie: CompiledTrie<T>, parent: number, raw: string): number {
  const decoded = canonicalDecode(raw);
  if (decoded === null || decoded.length >= trie.segment.length) return -1;
  for (let i = 0; i < decoded.length; i++) trie.segment[i] = decoded.charCodeAt(i);
  return staticChild(trie, parent, decoded.length, hashOf(decoded));
}

/** The raw param values of a match from the (start, end) marks `walk` left. */
function paramValues(marks: Int32Array, count: number, path: string): (string | undefined)[] {
  if (count === 0) return [];
  if (count === 1) return [marks[0] === -1 ? undefined : path.slice(marks[0], marks[1])];
  const values: (string | undefined)[] = [];
  for (let i = 0; i < count * 2; i += 2)
    values.push(marks[i] === -1 ? undefined : path.slice(marks[i], marks[i + 1]));
  return values;
}

/**
 * Walks the trie for `path`; returns a route index or -1, and leaves the params' (start, end) in
 * `trie.marks` and their count in `trie.params`. Per segment: the static child, then `[param]`, then
 * `[...catchAll]`, then `[[...optional]]` (R8). A static or `[param]` step taken at a node with
 * other options records a branch point, and a dead end resumes at the newest one with the param
 * count it had then, so backtracking leaves no trace. No recursion and no allocation: each code
 * unit is read from the string once, into `trie.segment`, where the folder names are compared.
 */
function walk<T>(trie: CompiledTrie<T>, path: string): number {
  const { table, stack, marks, segment } = trie;
  const room = segment.length;
  const length = path.length;
  let at = 0; // the current node's record: the root's
  let pos = 1;
  let end = 0;
  let sp = 0;
  let np = 0; // marks used (2 per param)
  // 0: try the static child; 1: try [param]; 2: try the catch-alls.
  let stage = 0;
  for (;;) {
    if (stage === 0) {
      if (pos >= length) {
        const route = table[at + N_ROUTE]!;
        if (route !== -1) {
          trie.params = np >> 1;
          return route;
        }
        const optional = (table[at + N_FLAGS]! & F_TAIL) === 0 ? -1 : trie.tails[table[at + N_ID]! * 2 + 1]!;
        if (optional !== -1) {
          marks[np] = -1;
          trie.params = (np >> 1) + 1;
          return optional;
        }
        stage = 3;
      } else if ((table[at + N_FLAGS]! & F_ONLY) !== 0) {
        // The only static child has a plain name: compare the segment with it in place.
        const units = trie.units;
        const size = table[at + N_ONLY_LENGTH]!;
        const name = table[at + N_ONLY_NAME]!;
        let k = 0;
        while (k < size && path.charCodeAt(pos + k) === units[name + k]) k++;
        end = pos + k;
        if (k === size && (end === length || path.charCodeAt(end) === SLASH)) {
          if ((table[at + N_FLAGS]! & F_BRANCH) !== 0) {
            stack[sp++] = at;
            stack[sp++] = pos;
            stack[sp++] = end;
            stack[sp++] = np;
          }
          at = table[at + N_ONLY]!;
          pos = end + 1;
          continue;
        }
        if ((table[at + N_FLAGS]! & F_BRANCH) === 0) stage = 3;
        else {
          end = path.indexOf("/", pos);
          if (end === -1) end = length;
          stage = 1;
        }
      } else if ((table[at + N_FLAGS]! & F_STATIC) !== 0) {
        // One pass finds the segment's end, hashes it (FNV-1a over UTF-16 code units, as hashOf)
        // and copies it as far as a folder name could reach.
        let h = FNV_OFFSET;
        let encoded = false;
        for (end = pos; end < length; end++) {
          const c = path.charCodeAt(end);
          if (c === SLASH) break;
          if (c === PERCENT) encoded = true;
          h = Math.imul(h ^ c, FNV_PRIME);
          const k = end - pos;
          if (k < room) segment[k] = c;
        }
        const size = end - pos;
        let child = size < room ? staticChild(trie, table[at + N_ID]!, size, h) : -1;
        if (child === -1 && encoded) child = decodedChild(trie, table[at + N_ID]!, path.slice(pos, end));
        if (child !== -1) {
          if ((table[at + N_FLAGS]! & F_BRANCH) !== 0) {
            stack[sp++] = at;
            stack[sp++] = pos;
            stack[sp++] = end;
            stack[sp++] = np;
          }
          at = child;
          pos = end + 1;
          continue;
        }
        stage = 1;
      } else {
        end = path.indexOf("/", pos);
        if (end === -1) end = length;
        stage = 1;
      }
    }
    if (stage === 1) {
      const dynamic = table[at + N_DYNAMIC]!;
      if (dynamic !== -1) {
        if ((table[at + N_FLAGS]! & F_TAIL) !== 0) {
          // Resumed at stage 2: marked by a negative record index.
          stack[sp++] = ~at;
          stack[sp++] = pos;
          stack[sp++] = end;
          stack[sp++] = np;
        }
        marks[np++] = pos;
        marks[np++] = end;
        at = dynamic;
        pos = end + 1;
        stage = 0;
        continue;
      }
      stage = 2;
    }
    if (stage === 2 && (table[at + N_FLAGS]! & F_TAIL) !== 0) {
      const row = table[at + N_ID]! * 2;
      let route = trie.tails[row]!;
      if (route === -1) route = trie.tails[row + 1]!;
      if (route !== -1) {
        marks[np] = pos;
        marks[np + 1] = length;
        trie.params = (np >> 1) + 1;
        return route;
      }
    }
    // Dead end: resume at the newest branch point.
    if (sp === 0) return -1;
    np = stack[--sp]!;
    end = stack[--sp]!;
    pos = stack[--sp]!;
    at = stack[--sp]!;
    if (at < 0) {
      at = ~at;
      stage = 2;
    } else stage = 1;
  }
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
