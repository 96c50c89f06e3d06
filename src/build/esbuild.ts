/**
 * esbuild, loaded with `require`. esbuild's entry is CommonJS: imported from ESM, Node first scans its
 * source for export names with cjs-module-lexer, which cost about 40 ms of every `approute build` on
 * the 2-core bench machine (#6). Build time only; `start` never loads it.
 * @module
 */
import { createRequire } from "node:module";

export type * from "esbuild";

const esbuild = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");

export const { build, formatMessagesSync, transform } = esbuild;
