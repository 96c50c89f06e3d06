/**
 * The project's `public/` folder, served as `next start` serves it: each file at its path (under
 * basePath), ahead of a route with the same path, after the proxy and `beforeFiles` rewrites. With
 * `Cache-Control: public, max-age=0`, a weak ETag and Last-Modified (conditional requests get 304),
 * byte ranges (206/416), and a content type from the extension.
 *
 * Only the files the build listed are served, looked up by their decoded path: a request can name
 * nothing else (no `..`, no encoded separators, no dotfiles but `.well-known/`, no file added after
 * the build). `node:fs` and the MIME table load on the first request for a public file.
 * @module
 */
import { FastResponse } from "../web/fast-response.js";
import type { IncomingSource } from "../web/next-request.js";
import { emptyResponse } from "./responses.js";

/** What the build's entry hands over: the folder and the files in it (`/robots.txt`, …). */
export interface PublicFilesRecord {
  /** `file:` URL of the folder, ending in `/`. */
  dir: string;
  /** Each file's URL path, decoded, starting with `/`. */
  paths: readonly string[];
}

interface FileInfo {
  size: number;
  etag: string;
  lastModified: string;
  mtimeMs: number;
  type: string;
}

type Fs = typeof import("node:fs/promises");
type Lookup = (path: string) => string | undefined;

const SMALL = 256 * 1024;
const HEADERS_ALLOW = { allow: "GET, HEAD" };

export interface PublicFiles {
  /** Whether `pathname` (inside basePath, still percent-encoded) names a public file. */
  has(pathname: string): boolean;
  /**
   * The answer for `pathname` when it names a public file, else undefined. Other methods than GET
   * and HEAD get 405 with `Allow` (next start answers 500).
   */
  serve(source: IncomingSource, pathname: string): Promise<Response> | Response | undefined;
}

export function createPublicFiles(record: PublicFilesRecord | undefined): PublicFiles | undefined {
  if (record === undefined || record.paths.length === 0) return undefined;
  const known = new Set(record.paths);
  const info = new Map<string, Promise<FileInfo | undefined>>();
  let modules: Promise<{ fs: Fs; lookup: Lookup }> | undefined;
  const load = () =>
    (modules ??= Promise.all([import("node:fs/promises"), import("mrmime")]).then(([fs, mime]) => ({
      fs,
      lookup: mime.lookup,
    })));
  const fileUrl = (path: string) => new URL(encodePath(path.slice(1)), record.dir);

  function stat(path: string): Promise<FileInfo | undefined> {
    let found = info.get(path);
    if (found === undefined) {
      found = load().then(async ({ fs, lookup }) => {
        try {
          const stats = await fs.stat(fileUrl(path));
          if (!stats.isFile()) return undefined;
          return {
            size: stats.size,
            mtimeMs: Math.floor(stats.mtimeMs / 1000) * 1000,
            etag: `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
            lastModified: new Date(stats.mtimeMs).toUTCString(),
            type: contentType(lookup(path)),
          };
        } catch {
          return undefined;
        }
      });
      info.set(path, found);
      // A file removed after the build answers 404; asked again, it is looked up again.
      found.then((value) => {
        if (value === undefined) info.delete(path);
      });
    }
    return found;
  }

  const has = (pathname: string) => {
    const path = decodePath(pathname);
    return path !== null && known.has(path);
  };
  const serve: PublicFiles["serve"] = (source, pathname) => {
    const path = decodePath(pathname);
    if (path === null || !known.has(path)) return undefined;
    const method = source.method;
    const header = headerReader(source);
    if (method !== "GET" && method !== "HEAD") return emptyResponse(405, HEADERS_ALLOW);
    return stat(path).then(async (file) => {
      if (file === undefined) return emptyResponse(404);
      const headers: Record<string, string> = {
        "accept-ranges": "bytes",
        "cache-control": "public, max-age=0",
        "last-modified": file.lastModified,
        etag: file.etag,
      };
      if (notModified(file, header))
        return new FastResponse(null, { status: 304, headers }) as unknown as Response;
      headers["content-type"] = file.type;
      const range = method === "GET" ? requestedRange(file, header) : undefined;
      if (range === null) {
        headers["content-range"] = `bytes */${file.size}`;
        return emptyResponse(416, headers);
      }
      const [start, end] = range ?? [0, file.size - 1];
      const length = file.size === 0 ? 0 : end - start + 1;
      headers["content-length"] = String(length);
      if (range !== undefined) headers["content-range"] = `bytes ${start}-${end}/${file.size}`;
      const status = range === undefined ? 200 : 206;
      if (method === "HEAD" || length === 0) return emptyResponse(status, headers);
      const { fs } = await load();
      const handle = await fs.open(fileUrl(path));
      if (length <= SMALL) {
        try {
          const bytes = new Uint8Array(length);
          let at = 0;
          while (at < length) {
            const { bytesRead } = await handle.read(bytes, at, length - at, start + at);
            if (bytesRead === 0) break;
            at += bytesRead;
          }
          return new FastResponse(at === length ? bytes : bytes.subarray(0, at), {
            status,
            headers,
          }) as unknown as Response;
        } finally {
          await handle.close();
        }
      }
      return new FastResponse(fileStream(handle, start, end), { status, headers }) as unknown as Response;
    });
  };
  return { has, serve };
}

/** `start..end` (inclusive) of `handle` as a stream that closes the file when done or cancelled. */
function fileStream(
  handle: import("node:fs/promises").FileHandle,
  start: number,
  end: number,
): ReadableStream<Uint8Array> {
  let at = start;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const want = Math.min(64 * 1024, end + 1 - at);
        const chunk = new Uint8Array(want);
        const { bytesRead } = await handle.read(chunk, 0, want, at);
        at += bytesRead;
        if (bytesRead > 0) controller.enqueue(bytesRead === want ? chunk : chunk.subarray(0, bytesRead));
        if (bytesRead === 0 || at > end) {
          controller.close();
          await handle.close();
        }
      } catch (error) {
        controller.error(error);
        await handle.close().catch(() => {});
      }
    },
    async cancel() {
      await handle.close().catch(() => {});
    },
  });
}

/** The decoded path, or null when a segment does not decode or decodes to a separator or NUL. */
function decodePath(pathname: string): string | null {
  if (!pathname.includes("%")) return pathname;
  let out = "";
  for (const segment of pathname.split("/").slice(1)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    if (/[/\\\0]/.test(decoded)) return null;
    out += `/${decoded}`;
  }
  return out;
}

/** A relative file path as a URL path (each segment percent-encoded). */
function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** The Content-Type `next start` sends: with `charset=UTF-8` for text, JSON and JavaScript. */
function contentType(type: string | undefined): string {
  if (type === undefined) return "application/octet-stream";
  return /^text\/|^application\/(?:javascript|json)$/.test(type) ? `${type}; charset=UTF-8` : type;
}

/** RFC 9110 §13.1.2, §13.1.3: If-None-Match (weak comparison) wins over If-Modified-Since. */
function notModified(file: FileInfo, header: (name: string) => string | null): boolean {
  const match = header("if-none-match");
  if (match !== null) {
    const tag = file.etag.slice(2);
    return match
      .split(",")
      .map((item) => item.trim())
      .some((item) => item === "*" || item === file.etag || item === tag || item.slice(2) === tag);
  }
  const since = header("if-modified-since");
  if (since === null) return false;
  const time = Date.parse(since);
  return !Number.isNaN(time) && file.mtimeMs <= time;
}

/**
 * The one byte range asked for (RFC 9110 §14.2): undefined to send the whole file (no Range, an
 * If-Range that no longer matches, several ranges, a unit other than bytes, a malformed value),
 * null when it cannot be satisfied (416).
 */
function requestedRange(
  file: FileInfo,
  header: (name: string) => string | null,
): [number, number] | null | undefined {
  const value = header("range");
  if (value === null || file.size === 0) return undefined;
  const ifRange = header("if-range");
  if (ifRange !== null && ifRange !== file.etag && ifRange !== file.lastModified) return undefined;
  const spec = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (spec === null || (spec[1] === "" && spec[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (spec[1] === "") {
    const suffix = Number(spec[2]);
    if (suffix === 0) return null;
    start = Math.max(0, file.size - suffix);
    end = file.size - 1;
  } else {
    start = Number(spec[1]);
    // A last position before the first makes the header invalid: it is ignored.
    if (spec[2] !== "" && Number(spec[2]) < start) return undefined;
    if (start >= file.size) return null;
    end = spec[2] === "" ? file.size - 1 : Math.min(Number(spec[2]), file.size - 1);
  }
  return [start, end];
}

/** One request header by name, without building all the headers when the source can say. */
function headerReader(source: IncomingSource): (name: string) => string | null {
  if (source.header !== undefined) return (name) => source.header!(name);
  let headers: Headers | undefined;
  return (name) => (headers ??= source.headers()).get(name);
}
