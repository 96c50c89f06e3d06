/**
 * The esbuild plugin that makes `next/*` imports resolve to approute without Next installed
 * (issue: Next imports). The import stays external, so every route shares one runtime instance.
 * @module
 */
import type { Plugin } from "esbuild";

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

export function nextAliasPlugin(): Plugin {
  return {
    name: "approute-next-alias",
    setup(build) {
      build.onResolve({ filter: /^next(\/|$)/ }, (args) => {
        const target = NEXT_MODULES[args.path];
        if (target) return { path: target, external: true };
        return {
          errors: [
            {
              text: `"${args.path}" is not available in approute.`,
              notes: [
                {
                  text: "approute provides next/server, next/headers, next/cache and next/navigation. Import from one of those, or remove the import.",
                },
              ],
            },
          ],
        };
      });
    },
  };
}
