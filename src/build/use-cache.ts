/**
 * The `"use cache"` build transform (R96–R100): an esbuild plugin that, for files containing the text
 * `use cache`, compiles TypeScript to JavaScript, parses it with acorn and rewrites each cached
 * function with magic-string so its body runs through `__cached` from `approute/cache` with a
 * compiled-in identity (file + name + line) and its closed-over values as part of the key.
 * File-level and function-level directives, `"use cache: <kind>"`, and errors with file, line and
 * fix (APR_INVALID_DIRECTIVE) for typos, misplaced directives, non-async functions and cached route
 * handler exports.
 * @module
 */
import { readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, extname, relative } from "node:path";
import type * as Acorn from "acorn";
import type MagicStringClass from "magic-string";
import { ApprouteError, ErrorCode } from "../core/errors.js";
import { type Loader, type Plugin, transform } from "./esbuild.js";
import { childrenOf, freeNames, isFunction, type Node, scopeNames } from "./scope.js";
import { lineMapper } from "./source-map-lines.js";
import { mentionsSourceUrl, sourceUrlDefine } from "./source-url.js";

// acorn and magic-string load with the first file that has a directive: most builds have none (#6).
const require = createRequire(import.meta.url);
let acorn: typeof Acorn | undefined;
let MagicString: typeof MagicStringClass | undefined;

const RUNTIME_IMPORT = "__apr_cached";
const ARGS = "__apr_args";
const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
const KIND = /^[a-z-]+$/;
const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Cheap pre-check: the exact text, or something that may be a misspelling of it ("use cahce"). */
const MAYBE_DIRECTIVE = /["'`]\s*use\s*c/i;

export interface UseCacheOptions {
  /** Project-relative path, used for function ids and messages. */
  file: string;
  /** The file is a route handler file (`route.ts`): cached HTTP method exports are errors (R100). */
  isRoute: boolean;
  /** Maps a line/column of `code` back to the source line (after a TS → JS step). */
  originalLine?: (line: number, column: number) => number;
}

interface Directive {
  kind: string;
  node: Node;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** Parses a directive string: a cache kind, "not a cache directive", or a typo with a suggestion. */
export function classifyDirective(value: string): { kind: string } | { typo: string } | null {
  if (value === "use cache") return { kind: "default" };
  const compact = value.toLowerCase().replace(/[\s_-]+/g, "");
  if (value.startsWith("use cache:")) {
    const kind = value.slice("use cache:".length).trim();
    if (KIND.test(kind) && value === `use cache: ${kind}`) return { kind };
    if (KIND.test(kind.toLowerCase()) && kind !== "") return { typo: `use cache: ${kind.toLowerCase()}` };
    return { typo: "use cache" };
  }
  const head = compact.split(":")[0]!;
  if (head === "usecache" || levenshtein(head, "usecache") <= 2) {
    const kind = value.includes(":")
      ? value
          .slice(value.indexOf(":") + 1)
          .trim()
          .toLowerCase()
      : "";
    return { typo: kind && KIND.test(kind) ? `use cache: ${kind}` : "use cache" };
  }
  return null;
}

/** Rewrites `code` (JavaScript, ESM). Returns undefined when there is nothing to cache. */
export function transformUseCache(code: string, options: UseCacheOptions): string | undefined {
  acorn ??= require("acorn") as typeof Acorn;
  MagicString ??= require("magic-string") as typeof MagicStringClass;
  const ast = acorn.parse(code, { ecmaVersion: "latest", sourceType: "module", locations: true }) as Node;
  const s = new MagicString(code);
  const toLine = (node: Node) =>
    options.originalLine
      ? options.originalLine(node.loc.start.line, node.loc.start.column)
      : node.loc.start.line;

  function fail(node: Node, message: string, hint: string): never {
    const line = toLine(node);
    throw new ApprouteError(ErrorCode.INVALID_DIRECTIVE, `${options.file}:${line}: ${message}`, {
      location: { file: options.file, line },
      hint,
    });
  }

  function directivesOf(statements: Node[]): Directive | undefined {
    let found: Directive | undefined;
    for (const statement of statements) {
      if (statement.type !== "ExpressionStatement" || typeof statement.directive !== "string") break;
      const verdict = classifyDirective(statement.expression.value);
      if (verdict === null) continue;
      if ("typo" in verdict)
        fail(
          statement,
          `Invalid directive "${statement.expression.value}". Did you mean "${verdict.typo}"?`,
          `Write "${verdict.typo}".`,
        );
      found = { kind: verdict.kind, node: statement };
    }
    return found;
  }

  // Local name → exported names, for `export { a as GET }`.
  const exportedAs = new Map<string, string[]>();
  const addExport = (local: string, exported: string) => {
    const list = exportedAs.get(local) ?? [];
    list.push(exported);
    exportedAs.set(local, list);
  };
  for (const statement of ast.body) {
    if (statement.type === "ExportNamedDeclaration") {
      if (statement.declaration) {
        const d = statement.declaration;
        if (d.type === "FunctionDeclaration" || d.type === "ClassDeclaration")
          addExport(d.id.name, d.id.name);
        else if (d.type === "VariableDeclaration")
          for (const decl of d.declarations)
            if (decl.id.type === "Identifier") addExport(decl.id.name, decl.id.name);
      } else if (!statement.source) {
        for (const spec of statement.specifiers)
          addExport(
            spec.local.name,
            spec.exported.type === "Identifier" ? spec.exported.name : spec.exported.value,
          );
      }
    } else if (statement.type === "ExportDefaultDeclaration") {
      const d = statement.declaration;
      if ((d.type === "FunctionDeclaration" || d.type === "ClassDeclaration") && d.id)
        addExport(d.id.name, "default");
      else if (d.type === "Identifier") addExport(d.name, "default");
    }
  }

  const fileDirective = directivesOf(ast.body);
  if (fileDirective) s.remove(fileDirective.node.start, fileDirective.node.end);

  interface Target {
    fn: Node;
    kind: string;
    directive?: Node;
    name: string;
    binding?: string;
    exported: string[];
    ancestors: Node[];
  }
  const targets: Target[] = [];

  /** The binding a function is known by: `function f`, `const f = …`, `f: …`, `f() {}`. */
  function nameOf(fn: Node, parent: Node | undefined): string | undefined {
    if (fn.id) return fn.id.name;
    if (!parent) return undefined;
    if (parent.type === "VariableDeclarator" && parent.id.type === "Identifier") return parent.id.name;
    if (
      (parent.type === "Property" ||
        parent.type === "MethodDefinition" ||
        parent.type === "PropertyDefinition") &&
      !parent.computed
    )
      return parent.key.type === "Identifier" ? parent.key.name : String(parent.key.value);
    if (parent.type === "AssignmentExpression" && parent.left.type === "Identifier") return parent.left.name;
    return undefined;
  }

  function isTopLevelExport(
    fn: Node,
    parent: Node | undefined,
    grandparent: Node | undefined,
    ancestors: Node[],
  ): boolean {
    if (parent?.type === "ExportNamedDeclaration" || parent?.type === "ExportDefaultDeclaration") return true;
    const binding = nameOf(fn, parent);
    if (binding === undefined) return false;
    // Top-level declarations only: Program → (Export) → declaration.
    const depth = ancestors.filter((a) => scopeNames(a) !== undefined).length;
    if (depth !== 1) return false;
    if (parent?.type === "VariableDeclarator" && grandparent?.type !== "VariableDeclaration") return false;
    return exportedAs.has(binding);
  }

  function walk(node: Node, ancestors: Node[]): void {
    if (isFunction(node)) {
      const parent = ancestors[ancestors.length - 1];
      const grandparent = ancestors[ancestors.length - 2];
      const own = node.body.type === "BlockStatement" ? directivesOf(node.body.body) : undefined;
      const fromFile =
        fileDirective !== undefined && !own && isTopLevelExport(node, parent, grandparent, ancestors)
          ? fileDirective
          : undefined;
      const directive = own ?? fromFile;
      if (directive) {
        const binding = nameOf(node, parent);
        const exported =
          parent?.type === "ExportDefaultDeclaration"
            ? ["default"]
            : binding
              ? (exportedAs.get(binding) ?? [])
              : [];
        const depth = ancestors.filter((a) => scopeNames(a) !== undefined).length;
        targets.push({
          fn: node,
          kind: directive.kind,
          directive: own?.node,
          name: binding ?? (parent?.type === "ExportDefaultDeclaration" ? "default" : "anonymous"),
          binding,
          exported: depth === 1 ? exported : [],
          ancestors: [...ancestors],
        });
      }
    } else if (
      node.type === "ExpressionStatement" &&
      typeof node.directive !== "string" &&
      node.expression.type === "Literal" &&
      typeof node.expression.value === "string" &&
      classifyDirective(node.expression.value) !== null
    ) {
      fail(
        node,
        `"${node.expression.value}" is not the first statement of its function or file, so it has no effect.`,
        "Move the directive to the very top of the function body (or of the file).",
      );
    }
    ancestors.push(node);
    for (const child of childrenOf(node)) walk(child, ancestors);
    ancestors.pop();
  }
  walk(ast, []);
  if (targets.length === 0 && !fileDirective) return undefined;

  const metas: string[] = [];
  for (const target of targets) {
    const { fn, kind, name } = target;
    const line = toLine(fn);
    const label = `${name} (${options.file}:${line})`;
    if (options.isRoute && target.exported.some((e) => HTTP_METHODS.has(e))) {
      const method = target.exported.find((e) => HTTP_METHODS.has(e))!;
      fail(
        fn,
        `"use cache" cannot be used on the route handler ${method}: a Response cannot be cached this way (it is not serialisable).`,
        `Move the cached work into a helper: async function getData() { "use cache"; … } and call it from ${method}, which builds the Response. (For a cached GET response use route segment config such as export const revalidate = 60.)`,
      );
    }
    if (!fn.async)
      fail(
        fn,
        `"use cache" function ${label} must be async.`,
        `Declare it async: async function ${name}(…) { … }.`,
      );
    if (fn.generator)
      fail(
        fn,
        `"use cache" function ${label} is a generator, which cannot be cached.`,
        "Return an array or object from a plain async function instead.",
      );

    // Closure values: free names bound in an enclosing function scope (not module level, R98).
    const closures: string[] = [];
    for (const free of freeNames(fn)) {
      if (free === target.binding) continue;
      for (let i = target.ancestors.length - 1; i >= 0; i--) {
        const ancestor = target.ancestors[i];
        const names = scopeNames(ancestor);
        if (!names?.has(free)) continue;
        if (ancestor.type !== "Program" && !declaredAsFunctionOrClass(ancestor, free)) closures.push(free);
        break;
      }
    }

    const index = metas.length;
    const exportName = target.exported[0];
    const id = `${options.file}#${exportName ?? `${name}@${line}:${fn.loc.start.column}`}`;
    metas.push(`const __apr_m${index} = ${JSON.stringify({ id, kind, name, file: options.file, line })};`);
    const call = `${RUNTIME_IMPORT}(__apr_m${index}, [${closures.join(", ")}], `;
    if (target.directive) s.remove(target.directive.start, target.directive.end);
    if (fn.type === "ArrowFunctionExpression") {
      s.prependLeft(fn.start, `async (...${ARGS}) => ${call}${ARGS}, `);
      s.appendRight(fn.end, ")");
    } else {
      s.appendLeft(fn.body.start + 1, ` return ${call}arguments, async () => {`);
      s.prependRight(fn.body.end - 1, "});");
    }
  }
  s.prepend(`import { __cached as ${RUNTIME_IMPORT} } from "approute/cache";\n${metas.join("\n")}\n`);
  return s.toString();
}

/** Whether `name` is declared in `scope` by a function or class declaration (not a value to key on). */
function declaredAsFunctionOrClass(scope: Node, name: string): boolean {
  const body = isFunction(scope)
    ? scope.body.type === "BlockStatement"
      ? scope.body.body
      : []
    : (scope.body ?? []);
  if (!Array.isArray(body)) return false;
  return body.some(
    (statement: Node) =>
      (statement.type === "FunctionDeclaration" || statement.type === "ClassDeclaration") &&
      statement.id?.name === name,
  );
}

const LOADERS: Record<string, Loader> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
};

/**
 * The esbuild plugin. Files without the text `use cache` are left to esbuild untouched, except that
 * `import.meta.url` is pinned to the source file in those that mention it (source-url.ts); `state`
 * learns whether any did.
 */
export function cacheDirectivePlugin(root: string, state: { sourceUrls?: boolean } = {}): Plugin {
  return {
    name: "approute-use-cache",
    setup(build) {
      const realRoot = realpathSync(root);
      build.onLoad({ filter: SOURCE_FILE }, async (args) => {
        if (args.namespace !== "file" || args.path.includes("/node_modules/")) return undefined;
        // Every source file passes through here: a synchronous read costs one call, where
        // fs/promises' readFile takes four trips through the event loop (#6).
        const source = readFileSync(args.path, "utf8");
        // next.config pins its own paths (config-paths.ts).
        const isConfig =
          basename(args.path).startsWith("next.config.") &&
          (dirname(args.path) === root || dirname(args.path) === realRoot);
        const define = !isConfig && mentionsSourceUrl(source) ? sourceUrlDefine(args.path) : undefined;
        if (define) state.sourceUrls = true;
        const file = relative(root, args.path);
        const loader = LOADERS[extname(args.path)] ?? "js";
        if (!source.includes("use cache") && !MAYBE_DIRECTIVE.test(source)) {
          if (!define) return undefined;
          // A syntax error is left to esbuild, which reports it with its own loader.
          const pinned = await transform(source, {
            loader,
            format: "esm",
            target: "esnext",
            sourcemap: "inline",
            sourcefile: args.path,
            jsx: "automatic",
            define,
            tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: false } },
          }).catch(() => undefined);
          return pinned && { contents: pinned.code, loader: "js", resolveDir: dirname(args.path) };
        }
        try {
          const compiled = await transform(source, {
            loader,
            format: "esm",
            target: "esnext",
            sourcemap: "external",
            sourcefile: file,
            jsx: "automatic",
            ...(define ? { define } : {}),
            tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: false } },
          });
          const contents = transformUseCache(compiled.code, {
            file,
            isRoute: /^route\.[cm]?[jt]sx?$/.test(basename(args.path)),
            originalLine: lineMapper(compiled.map),
          });
          return { contents: contents ?? compiled.code, loader: "js", resolveDir: dirname(args.path) };
        } catch (error) {
          if (error instanceof ApprouteError) {
            const line = error.location?.line;
            return {
              errors: [
                {
                  text: `[${error.code}] ${error.message}`,
                  location: { file, line: line ?? 1, column: 0 },
                  notes: error.hint ? [{ text: `fix: ${error.hint}` }] : [],
                  detail: error,
                },
              ],
            };
          }
          // TypeScript/JavaScript syntax errors: let esbuild report them with its own loader.
          return undefined;
        }
      });
    },
  };
}
