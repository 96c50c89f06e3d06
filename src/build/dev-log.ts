/**
 * What `approute dev` prints: one line per request (method, path, status, duration; coloured on a
 * TTY) and errors with their source-mapped stack plus a code frame of the first project frame.
 * Dev only: `approute start` never loads this module, so production requests pay nothing for it.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Handler } from "../adapters/node/listener.js";
import type { NodeSource } from "../adapters/node/source.js";
import type { Logger } from "../runtime/logger.js";
import { codeFrame, type Paint, paint } from "./report.js";

export { codeFrame };

/** `GET /api/users/1 200 in 4ms`, status coloured by class when `p` paints. */
export function formatRequestLine(
  method: string,
  target: string,
  status: number,
  ms: number,
  p: Paint,
): string {
  const code = String(status);
  const painted =
    status >= 500
      ? p.red(code)
      : status >= 400
        ? p.yellow(code)
        : status >= 300
          ? p.cyan(code)
          : p.green(code);
  const time = ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
  return `${p.bold(method)} ${target} ${painted} ${p.dim(`in ${time}ms`)}`;
}

/**
 * Wraps the dev app so every request is logged when its response has been written (so the
 * duration includes streaming the body). `write` receives one line per request.
 */
export function withRequestLog(
  getApp: () => Handler,
  write: (line: string) => void,
  color: boolean,
): () => Handler {
  const p = paint(color);
  const handler: Handler = {
    handle(source: NodeSource, target: string) {
      const started = performance.now();
      const res = source.res;
      res.once("close", () => {
        const status = res.headersSent || res.writableEnded ? res.statusCode : 499;
        write(formatRequestLine(source.method, target, status, performance.now() - started, p));
      });
      return getApp().handle(source, target);
    },
  };
  return () => handler;
}

const FRAME = /\(?((?:file:\/\/)?\/[^():\s]+|[A-Za-z]:\\[^():\s]+):(\d+):(\d+)\)?$/;

/** The first stack frame inside the project (not node_modules, not generated output). */
export function projectFrame(
  stack: string,
  root: string,
): { file: string; path: string; line: number; column: number } | undefined {
  for (const raw of stack.split("\n").slice(1)) {
    const match = raw.trim().match(FRAME);
    if (!match) continue;
    let path = match[1]!;
    if (path.startsWith("file://")) path = fileURLToPath(path);
    if (!isAbsolute(path)) path = resolve(root, path);
    const rel = relative(root, path).split("\\").join("/");
    if (rel.startsWith("..") || /(^|\/)(node_modules|\.approute)\//.test(rel)) continue;
    return { file: rel, path, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

/**
 * The dev logger: like the console logger, but an error is printed with its (source-mapped) stack
 * and a code frame of the first frame in the project's own files.
 */
export function createDevLogger(root: string, color: boolean): Logger {
  const p = paint(color);
  return {
    error(message, error) {
      const parts = [`${p.red("✗")} ${message}`];
      if (error instanceof Error) {
        parts.push(error.stack ?? `${error.name}: ${error.message}`);
        const frame = error.stack ? projectFrame(error.stack, root) : undefined;
        if (frame && existsSync(frame.path)) {
          try {
            parts.push(
              `\n${p.bold(`${frame.file}:${frame.line}:${frame.column}`)}\n${codeFrame(readFileSync(frame.path, "utf8"), frame.line, frame.column, p)}`,
            );
          } catch {
            // An unreadable file only loses the frame, never the error.
          }
        }
      } else if (error !== undefined) parts.push(String(error));
      console.error(parts.join("\n"));
    },
    warn(message) {
      console.warn(`${p.yellow("!")} ${message}`);
    },
    info(message) {
      console.log(message);
    },
  };
}
