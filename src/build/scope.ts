/**
 * A small scope analysis over an ESTree (acorn) AST, enough for the `"use cache"` transform: which
 * names a function reads from enclosing function scopes (its closure, R98) as opposed to its own
 * locals, module-level bindings and globals.
 * @module
 */

export type Node = any;

const FUNCTION_TYPES = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

export function isFunction(node: Node): boolean {
  return node !== null && typeof node === "object" && FUNCTION_TYPES.has(node.type);
}

/** Child nodes of `node`, in source order. */
export function childrenOf(node: Node): Node[] {
  const out: Node[] = [];
  for (const key in node) {
    if (key === "type" || key === "start" || key === "end" || key === "loc" || key === "range") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const item of value) if (item && typeof item.type === "string") out.push(item);
    } else if (value && typeof value.type === "string") {
      out.push(value);
    }
  }
  return out;
}

/** Names bound by a declaration pattern (`a`, `{ b, c: [d] }`, `...e`, `f = 1`). */
export function boundNames(pattern: Node, out: string[] = []): string[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case "Identifier":
      out.push(pattern.name);
      break;
    case "ObjectPattern":
      for (const prop of pattern.properties)
        boundNames(prop.type === "RestElement" ? prop.argument : prop.value, out);
      break;
    case "ArrayPattern":
      for (const element of pattern.elements) boundNames(element, out);
      break;
    case "RestElement":
      boundNames(pattern.argument, out);
      break;
    case "AssignmentPattern":
      boundNames(pattern.left, out);
      break;
  }
  return out;
}

/** `var` names declared anywhere in `node` without entering nested functions. */
function hoistedVars(node: Node, out: Set<string>): void {
  if (!node || isFunction(node)) return;
  if (node.type === "VariableDeclaration" && node.kind === "var") {
    for (const d of node.declarations) for (const name of boundNames(d.id)) out.add(name);
  }
  for (const child of childrenOf(node)) if (!isFunction(child)) hoistedVars(child, out);
}

/** Lexical declarations directly in a statement list (let, const, class, function). */
function lexicalNames(statements: Node[], out: Set<string>): void {
  for (let statement of statements) {
    if (statement.type === "ExportNamedDeclaration" || statement.type === "ExportDefaultDeclaration")
      statement = statement.declaration ?? statement;
    if (!statement) continue;
    if (statement.type === "VariableDeclaration" && statement.kind !== "var") {
      for (const d of statement.declarations) for (const name of boundNames(d.id)) out.add(name);
    } else if (
      (statement.type === "FunctionDeclaration" || statement.type === "ClassDeclaration") &&
      statement.id
    ) {
      out.add(statement.id.name);
    } else if (statement.type === "ImportDeclaration") {
      for (const spec of statement.specifiers) out.add(spec.local.name);
    }
  }
}

/** The names a node declares for its own scope, or undefined if it does not open a scope. */
export function scopeNames(node: Node): Set<string> | undefined {
  switch (node.type) {
    case "Program": {
      const names = new Set<string>();
      lexicalNames(node.body, names);
      hoistedVars(node, names);
      return names;
    }
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression": {
      const names = new Set<string>();
      for (const param of node.params) for (const name of boundNames(param)) names.add(name);
      if (node.type === "FunctionExpression" && node.id) names.add(node.id.name);
      if (node.type !== "ArrowFunctionExpression") names.add("arguments");
      if (node.body.type === "BlockStatement") {
        lexicalNames(node.body.body, names);
        hoistedVars(node.body, names);
      }
      return names;
    }
    case "BlockStatement":
    case "StaticBlock": {
      const names = new Set<string>();
      lexicalNames(node.body, names);
      return names;
    }
    case "SwitchStatement": {
      const names = new Set<string>();
      for (const c of node.cases) lexicalNames(c.consequent, names);
      return names;
    }
    case "ForStatement":
    case "ForInStatement":
    case "ForOfStatement": {
      const init = node.type === "ForStatement" ? node.init : node.left;
      if (init && init.type === "VariableDeclaration" && init.kind !== "var")
        return new Set(init.declarations.flatMap((d: Node) => boundNames(d.id)));
      return undefined;
    }
    case "CatchClause":
      return new Set(boundNames(node.param));
    case "ClassExpression":
    case "ClassDeclaration":
      return node.id ? new Set([node.id.name]) : undefined;
  }
  return undefined;
}

/**
 * Names `fn` reads but does not declare itself (including in nested scopes), in first-use order.
 * The caller decides which of them are closure values (bound in an enclosing function scope).
 */
export function freeNames(fn: Node): string[] {
  const free: string[] = [];
  const seen = new Set<string>();
  const stack: Set<string>[] = [];

  function declared(name: string): boolean {
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.has(name)) return true;
    return false;
  }
  function reference(name: string): void {
    if (declared(name) || seen.has(name)) return;
    seen.add(name);
    free.push(name);
  }
  /** Visits the expressions inside a declaration pattern (defaults, computed keys), not the names. */
  function pattern(node: Node): void {
    if (!node) return;
    switch (node.type) {
      case "Identifier":
        return;
      case "ObjectPattern":
        for (const prop of node.properties) {
          if (prop.type === "RestElement") pattern(prop.argument);
          else {
            if (prop.computed) visit(prop.key);
            pattern(prop.value);
          }
        }
        return;
      case "ArrayPattern":
        for (const element of node.elements) pattern(element);
        return;
      case "RestElement":
        pattern(node.argument);
        return;
      case "AssignmentPattern":
        pattern(node.left);
        visit(node.right);
        return;
      default:
        // Assignment targets such as `obj.x` in `[obj.x] = …`.
        visit(node);
    }
  }
  function visit(node: Node): void {
    if (!node) return;
    const names = scopeNames(node);
    if (names) stack.push(names);
    try {
      switch (node.type) {
        case "Identifier":
          reference(node.name);
          return;
        case "MemberExpression":
          visit(node.object);
          if (node.computed) visit(node.property);
          return;
        case "Property":
        case "MethodDefinition":
        case "PropertyDefinition":
          if (node.computed) visit(node.key);
          if (node.value) {
            if (node.type === "Property" && node.value.type.endsWith("Pattern")) pattern(node.value);
            else visit(node.value);
          }
          return;
        case "VariableDeclarator":
          pattern(node.id);
          visit(node.init);
          return;
        case "FunctionDeclaration":
        case "FunctionExpression":
        case "ArrowFunctionExpression":
          for (const param of node.params) pattern(param);
          visit(node.body);
          return;
        case "ClassDeclaration":
        case "ClassExpression":
          visit(node.superClass);
          visit(node.body);
          return;
        case "CatchClause":
          pattern(node.param);
          visit(node.body);
          return;
        case "LabeledStatement":
          visit(node.body);
          return;
        case "BreakStatement":
        case "ContinueStatement":
        case "MetaProperty":
        case "Literal":
        case "ThisExpression":
        case "Super":
        case "TemplateElement":
          return;
        case "AssignmentExpression":
          if (node.left.type.endsWith("Pattern")) pattern(node.left);
          else visit(node.left);
          visit(node.right);
          return;
        case "ForInStatement":
        case "ForOfStatement":
          if (node.left.type === "VariableDeclaration") for (const d of node.left.declarations) pattern(d.id);
          else if (node.left.type.endsWith("Pattern")) pattern(node.left);
          else visit(node.left);
          visit(node.right);
          visit(node.body);
          return;
        default:
          for (const child of childrenOf(node)) visit(child);
      }
    } finally {
      if (names) stack.pop();
    }
  }
  visit(fn);
  return free;
}
