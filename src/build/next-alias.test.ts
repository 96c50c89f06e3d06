// The next/* alias: known modules resolve through esbuild's alias, only the others reach the plugin's
// callback (#6), whose filter is a lookahead-free "anything but these" pattern.
import assert from "node:assert/strict";
import { test } from "node:test";
import { anyExcept } from "./next-alias.js";

test("anyExcept matches every string but the given words", () => {
  const words = ["server", "server.js", "headers", "cache", "cache.js", "navigation"];
  const re = new RegExp(`^${anyExcept(words)}$`);
  for (const word of words) assert.equal(re.test(word), false, word);
  for (const other of [
    "",
    "s",
    "serve",
    "servers",
    "server.j",
    "server.jsx",
    "server/x",
    "image",
    "cachex",
    "dist/server",
    "headers.js",
    "navigation/",
    "Server",
    "a.b-c/d",
  ])
    assert.equal(re.test(other), true, other);
});

test("anyExcept of nothing matches everything, of the empty string everything else", () => {
  assert.equal(new RegExp(`^${anyExcept([])}$`).test(""), true);
  assert.equal(new RegExp(`^${anyExcept([])}$`).test("x"), true);
  assert.equal(new RegExp(`^${anyExcept([""])}$`).test(""), false);
  assert.equal(new RegExp(`^${anyExcept([""])}$`).test("x"), true);
  // Characters that are special in patterns are taken literally.
  const special = new RegExp(`^${anyExcept(["a.b", "c-d", "e/f", "(g)"])}$`);
  for (const word of ["a.b", "c-d", "e/f", "(g)"]) assert.equal(special.test(word), false, word);
  for (const other of ["axb", "c_d", "e\\f", "g"]) assert.equal(special.test(other), true, other);
});
