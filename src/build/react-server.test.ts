// `exports` resolution as the react-server plugin reads it: conditions in object order, `default`
// always, nested conditions, arrays, `null` exclusions and subpath patterns (longest prefix wins).
import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveExports } from "./react-server.js";

const SERVER = ["react-server", "node", "import"];
const PLAIN = ["node", "import"];

test("a string or a conditions object for the package root", () => {
  assert.equal(resolveExports("./index.js", ".", SERVER), "./index.js");
  const exports = { "react-server": "./rs.js", node: "./node.js", default: "./default.js" };
  assert.equal(resolveExports(exports, ".", SERVER), "./rs.js");
  assert.equal(resolveExports(exports, ".", PLAIN), "./node.js");
  assert.equal(resolveExports(exports, ".", ["require"]), "./default.js");
  assert.equal(resolveExports(exports, "./other", SERVER), undefined);
});

test("object order decides, not the order of the conditions asked for", () => {
  const exports = { ".": { node: "./node.js", "react-server": "./rs.js" } };
  assert.equal(resolveExports(exports, ".", SERVER), "./node.js");
});

test("nested conditions, arrays and null", () => {
  const exports = {
    ".": { "react-server": { import: "./rs.mjs", require: "./rs.cjs" }, default: "./index.js" },
    "./a": [{ "react-server": "./a.rs.js" }, "./a.js"],
    "./private": null,
  };
  assert.equal(resolveExports(exports, ".", SERVER), "./rs.mjs");
  assert.equal(resolveExports(exports, ".", ["react-server", "node", "require"]), "./rs.cjs");
  assert.equal(resolveExports(exports, "./a", SERVER), "./a.rs.js");
  assert.equal(resolveExports(exports, "./a", PLAIN), "./a.js");
  assert.equal(resolveExports(exports, "./private", SERVER), null);
});

test("subpath patterns: the longest prefix wins, the star fills every target", () => {
  const exports = {
    "./*": "./all/*.js",
    "./feature/*": { "react-server": "./features/*.rs.js", default: "./features/*.js" },
    "./feature/*.css": null,
  };
  assert.equal(resolveExports(exports, "./feature/x", SERVER), "./features/x.rs.js");
  assert.equal(resolveExports(exports, "./feature/x/y", PLAIN), "./features/x/y.js");
  assert.equal(resolveExports(exports, "./feature/x.css", SERVER), null);
  assert.equal(resolveExports(exports, "./other", SERVER), "./all/other.js");
});
