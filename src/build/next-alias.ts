/**
 * The esbuild plugin that makes `next/*` imports resolve to approute without Next installed
 * (issue: Next imports). The import stays external, so every route shares one runtime instance.
 * @module
 */
import type { Plugin } from "esbuild";
import { NEXT_PHASES } from "../core/phases.js";

/** `next/<x>` → `approute/<x>` for the modules approute implements. */
export const NEXT_MODULES: Record<string, string> = {
  next: "approute",
  "next/server": "approute/server",
  "next/server.js": "approute/server",
  "next/headers": "approute/headers",
  "next/headers.js": "approute/headers",
  "next/cache": "approute/cache",
  "next/cache.js": "approute/cache",
  "next/navigation": "approute/navigation",
  "next/navigation.js": "approute/navigation",
};

/** `next/constants`: the `PHASE_*` names a `next.config` function compares its `phase` with. */
const CONSTANTS = /^next\/constants(?:\.js)?$/;
const CONSTANTS_NAMESPACE = "approute-next-constants";

/**
 * A pattern matching every string except `words`, without lookahead (esbuild's filters are Go
 * regular expressions): walk the words' trie; a string leaves it by stopping where no word ends, by a
 * character no word continues with, or further down.
 */
export function anyExcept(words: readonly string[]): string {
  interface Node {
    end: boolean;
    next: Map<string, Node>;
  }
  const root: Node = { end: false, next: new Map() };
  for (const word of words) {
    let node = root;
    for (const ch of word) {
      let child = node.next.get(ch);
      if (child === undefined) node.next.set(ch, (child = { end: false, next: new Map() }));
      node = child;
    }
    node.end = true;
  }
  const literal = (ch: string) => ch.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  const at = (node: Node): string => {
    const ways = node.end ? [] : [""];
    ways.push(node.next.size === 0 ? ".+" : `[^${[...node.next.keys()].map(literal).join("")}].*`);
    for (const [ch, child] of node.next) ways.push(literal(ch) + at(child));
    return `(?:${ways.join("|")})`;
  };
  return at(root);
}

/** `next/…` specifiers approute does not provide: only these reach the plugin's callback. */
const UNKNOWN_NEXT = new RegExp(
  `^next/${anyExcept(
    [...Object.keys(NEXT_MODULES), "next/constants", "next/constants.js"]
      .filter((name) => name.startsWith("next/"))
      .map((name) => name.slice("next/".length)),
  )}$`,
);

/**
 * The known modules map through esbuild's `alias` (resolved inside esbuild: a plugin callback per
 * `next/*` import cost about 70 ms of a 200-route build, #6); the rest fail with a clear message.
 */
export function nextAliasPlugin(): Plugin {
  return {
    name: "approute-next-alias",
    setup(build) {
      build.initialOptions.alias = { ...NEXT_MODULES, ...build.initialOptions.alias };
      build.onResolve({ filter: CONSTANTS }, (args) => ({ path: args.path, namespace: CONSTANTS_NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: CONSTANTS_NAMESPACE }, () => ({
        contents: Object.entries(NEXT_PHASES)
          .map(([name, value]) => `export const ${name} = ${JSON.stringify(value)};`)
          .join("\n"),
        loader: "js",
      }));
      build.onResolve({ filter: UNKNOWN_NEXT }, (args) => ({
        errors: [
          {
            text: `"${args.path}" is not available in approute.`,
            notes: [
              {
                text: "approute provides next/server, next/headers, next/cache, next/navigation and the PHASE_* names of next/constants. Import from one of those, or remove the import.",
              },
            ],
          },
        ],
      }));
    },
  };
}
