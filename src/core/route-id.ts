/**
 * Turns the folders between `app/` and a `route.ts` file into URL segments (R2–R7): static names,
 * `[param]`, `[...catchAll]`, `[[...optional]]`, with `(group)` folders dropped and `_private`
 * folders making the route unreachable.
 * @module
 */
import { ApprouteError, ErrorCode } from "./errors.js";

export type Segment =
  | { kind: "static"; value: string }
  | { kind: "dynamic"; name: string }
  | { kind: "catchAll"; name: string }
  | { kind: "optionalCatchAll"; name: string };

export type SegmentKind = Segment["kind"];

export interface ParsedRoute {
  /** URL segments after groups are removed. */
  segments: Segment[];
  /** The typegen route key: `/api/items/[id]`, groups removed, brackets kept (R39). */
  key: string;
}

const PARAM_NAME = /^[^/[\]().]+$/;

/**
 * Parses one folder name. Returns `null` for a route group, which contributes nothing to the URL.
 * `file` is only used to name the route in errors.
 */
export function parseSegment(folder: string, file: string): Segment | null {
  if (folder.startsWith("(") && folder.endsWith(")") && folder.length > 2) return null;
  if (folder.startsWith("[[...") && folder.endsWith("]]")) {
    return { kind: "optionalCatchAll", name: paramName(folder.slice(5, -2), folder, file) };
  }
  if (folder.startsWith("[...") && folder.endsWith("]")) {
    return { kind: "catchAll", name: paramName(folder.slice(4, -1), folder, file) };
  }
  if (folder.startsWith("[") && folder.endsWith("]") && !folder.startsWith("[[")) {
    return { kind: "dynamic", name: paramName(folder.slice(1, -1), folder, file) };
  }
  if (folder.includes("[") || folder.includes("]")) {
    throw new ApprouteError(
      ErrorCode.INVALID_SEGMENT,
      `The folder "${folder}" in ${file} is not a valid route segment.`,
      {
        location: { file },
        hint: 'Use "[name]", "[...name]" or "[[...name]]" as the whole folder name, or remove the brackets.',
      },
    );
  }
  // R7: `%5F` is the escape for a literal leading underscore.
  if (folder.startsWith("%5F") || folder.startsWith("%5f"))
    return { kind: "static", value: `_${folder.slice(3)}` };
  return { kind: "static", value: folder };
}

function paramName(name: string, folder: string, file: string): string {
  if (!PARAM_NAME.test(name)) {
    throw new ApprouteError(
      ErrorCode.INVALID_SEGMENT,
      `The folder "${folder}" in ${file} has an invalid parameter name "${name}".`,
      {
        location: { file },
        hint: "Parameter names cannot be empty or contain '/', '[', ']', '(', ')' or '.'.",
      },
    );
  }
  return name;
}

/** True when a folder is private (R7): it and everything below it is never routed. */
export function isPrivateFolder(folder: string): boolean {
  return folder.startsWith("_");
}

/**
 * Parses the folder list of one route file (relative to the routes root, without the file name).
 * Returns `null` when the route sits below a private folder.
 */
export function parseRouteDir(folders: readonly string[], file: string): ParsedRoute | null {
  const segments: Segment[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < folders.length; i++) {
    const folder = folders[i]!;
    if (isPrivateFolder(folder)) return null;
    const segment = parseSegment(folder, file);
    if (!segment) continue;
    if (segment.kind !== "static") {
      if (seen.has(segment.name)) {
        throw new ApprouteError(
          ErrorCode.INVALID_SEGMENT,
          `The parameter "${segment.name}" appears twice in the path of ${file}.`,
          {
            location: { file },
            hint: "Give each dynamic folder in one path a different name.",
          },
        );
      }
      seen.add(segment.name);
    }
    segments.push(segment);
  }
  for (let i = 0; i < segments.length - 1; i++) {
    const kind = segments[i]!.kind;
    if (kind === "catchAll" || kind === "optionalCatchAll") {
      throw new ApprouteError(
        ErrorCode.INVALID_SEGMENT,
        `A catch-all folder must be the last segment of a route, but ${file} has more folders after it.`,
        {
          location: { file },
          hint: "Move route.ts into the catch-all folder itself, or turn the catch-all into a [param] folder.",
        },
      );
    }
  }
  return { segments, key: routeKey(segments) };
}

/** Formats segments back into the bracketed key used by typegen and error messages. */
export function routeKey(segments: readonly Segment[]): string {
  if (segments.length === 0) return "/";
  let key = "";
  for (const s of segments) {
    if (s.kind === "static") key += `/${s.value}`;
    else if (s.kind === "dynamic") key += `/[${s.name}]`;
    else if (s.kind === "catchAll") key += `/[...${s.name}]`;
    else key += `/[[...${s.name}]]`;
  }
  return key;
}
