// Edge cases of the compiled matcher (#6): FNV-1a hash collisions between sibling folders, long
// probe chains, names too long to sit in an edge slot, backtracking across levels (R8) and the
// static-path filter in front of the exact-path map.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Segment } from "./route-id.js";
import { createRouter } from "./router.js";

const S = (value: string): Segment => ({ kind: "static", value });
const D = (name: string): Segment => ({ kind: "dynamic", name });
const C = (name: string): Segment => ({ kind: "catchAll", name });
const O = (name: string): Segment => ({ kind: "optionalCatchAll", name });

function router(routes: Segment[][]) {
  return createRouter(routes.map((segments, i) => ({ segments, file: `r${i}`, data: i })));
}

/** [route index, raw values] or null, for compact assertions. */
function hit(r: ReturnType<typeof router>, path: string) {
  const m = r.match(path);
  return m === null ? null : [m.route.data, m.values];
}

/** FNV-1a over UTF-16 code units, as the router hashes folder names. */
function fnv(text: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

// Pairs found by a birthday search: same length, same 32-bit FNV-1a hash.
const SHORT = ["rabpwu", "ra05fa"] as const;
const LONG = ["collision-long-bkrnw", "collision-long-b3pba"] as const;

test("the collision pairs really collide (otherwise the tests below prove nothing)", () => {
  for (const [a, b] of [SHORT, LONG]) {
    assert.equal(a.length, b.length);
    assert.equal(fnv(a), fnv(b));
    assert.notEqual(a, b);
  }
});

test("R8: siblings with the same hash and length each reach their own route", () => {
  for (const [a, b] of [SHORT, LONG]) {
    const r = router([
      [S("x"), S(a), S("end")],
      [S("x"), S(b), S("end")],
      [S("x"), D("id"), S("end")],
    ]);
    assert.deepEqual(hit(r, `/x/${a}/end`), [0, []]);
    assert.deepEqual(hit(r, `/x/${b}/end`), [1, []]);
    // The walk (not the exact-path map) must tell them apart too: a route below is dynamic.
    const deep = router([
      [S(a), D("p")],
      [S(b), D("p")],
    ]);
    assert.deepEqual(hit(deep, `/${a}/1`), [0, ["1"]]);
    assert.deepEqual(hit(deep, `/${b}/2`), [1, ["2"]]);
  }
});

test("R8: a segment that collides with a static name but is not it falls through to [param]", () => {
  for (const [a, b] of [SHORT, LONG]) {
    const r = router([
      [S(a), D("p")],
      [D("x"), D("p")],
    ]);
    assert.deepEqual(hit(r, `/${a}/1`), [0, ["1"]]);
    assert.deepEqual(hit(r, `/${b}/1`), [1, [b, "1"]]);
    const only = router([[S(a), S("z")]]);
    assert.equal(hit(only, `/${b}/z`), null);
  }
});

test("thousands of siblings: every name finds its route, other names fall to [param] or miss", () => {
  const names = Array.from({ length: 3000 }, (_, i) => `n${i.toString(36)}`);
  const routes: Segment[][] = names.map((n) => [S("api"), S(n), D("id")]);
  routes.push([S("api"), D("other"), D("id")]);
  const r = router(routes);
  for (let i = 0; i < names.length; i++) assert.deepEqual(hit(r, `/api/${names[i]}/7`), [i, ["7"]]);
  assert.deepEqual(hit(r, "/api/zzzzzz/7"), [names.length, ["zzzzzz", "7"]]);
  assert.equal(hit(r, "/api/n0"), null);
  assert.equal(hit(r, "/nope/n0/7"), null);
});

test("folder names longer than an edge slot holds, and non-ASCII names, compare in full", () => {
  const long = "a-very-long-folder-name-that-does-not-fit";
  const r = router([
    [S(long), D("id")],
    [S("café"), D("id")],
    [S("ab"), D("id")],
    [D("x"), D("id")],
  ]);
  assert.deepEqual(hit(r, `/${long}/1`), [0, ["1"]]);
  assert.deepEqual(hit(r, `/${long.slice(0, -1)}X/1`), [3, [`${long.slice(0, -1)}X`, "1"]]);
  assert.deepEqual(hit(r, "/caf%C3%A9/1"), [1, ["1"]]);
  assert.deepEqual(hit(r, "/café/1"), [1, ["1"]]);
  assert.deepEqual(hit(r, "/ab/1"), [2, ["1"]]);
  assert.deepEqual(hit(r, "/abc/1"), [3, ["abc", "1"]]);
});

test("R8: a dead end after static and [param] steps backtracks with the param values it had", () => {
  const r = router([
    [S("a"), S("b"), S("c")],
    [S("a"), D("x"), S("d")],
    [D("y"), S("b"), S("e")],
    [D("y"), C("rest")],
    [S("o"), O("opt")],
  ]);
  assert.deepEqual(hit(r, "/a/b/c"), [0, []]);
  assert.deepEqual(hit(r, "/a/b/d"), [1, ["b"]]);
  assert.deepEqual(hit(r, "/a/b/e"), [2, ["a"]]);
  assert.deepEqual(hit(r, "/a/b/f"), [3, ["a", "b/f"]]);
  assert.deepEqual(hit(r, "/q/b/e/g"), [3, ["q", "b/e/g"]]);
  assert.deepEqual(hit(r, "/o"), [4, [undefined]]);
  assert.deepEqual(hit(r, "/o/1/2"), [4, ["1/2"]]);
  assert.equal(hit(r, "/a"), null);
});

test("static paths that share the filter's length and last characters with other paths", () => {
  // Same length and last two code units: the filter lets both through, the map tells them apart.
  const r = router([
    [S("ab"), S("xy")],
    [S("cd"), S("xy")],
    [S("ab"), D("id")],
  ]);
  assert.deepEqual(hit(r, "/ab/xy"), [0, []]);
  assert.deepEqual(hit(r, "/cd/xy"), [1, []]);
  assert.deepEqual(hit(r, "/ef/xy"), null);
  assert.deepEqual(hit(r, "/ab/zy"), [2, ["zy"]]);
  assert.deepEqual(hit(router([[]]), "/"), [0, []]);
  assert.deepEqual(hit(router([[S("a")]]), "/"), null);
});

test("a node's only static child is compared in place: whole segment, exact spelling (R8)", () => {
  const r = router([
    [S("items"), S("list")],
    [S("items"), S("list"), D("id")],
    [S("p"), S("list")],
    [S("p"), D("x")],
  ]);
  assert.deepEqual(hit(r, "/items/list"), [0, []]);
  assert.deepEqual(hit(r, "/items/list/7"), [1, ["7"]]);
  assert.equal(hit(r, "/items/lis"), null);
  assert.equal(hit(r, "/items/listing"), null);
  assert.equal(hit(r, "/items/%6Cist"), null); // not the canonical encoding of "list"
  assert.equal(hit(r, "/items"), null);
  // With a [param] sibling, a mismatch falls through to it with the whole segment.
  assert.deepEqual(hit(r, "/p/listing"), [3, ["listing"]]);
  assert.deepEqual(hit(r, "/p/lis"), [3, ["lis"]]);
  assert.deepEqual(hit(r, "/p/list"), [2, []]);
  // A name encodeURIComponent changes still matches its canonical encoding.
  const enc = router([[S("a b"), D("id")], [S("café")]]);
  assert.deepEqual(hit(enc, "/a%20b/1"), [0, ["1"]]);
  assert.deepEqual(hit(enc, "/caf%C3%A9"), [1, []]);
});
