// parseByteSize: the sizes `bodySizeLimit` and `--body-limit` accept (A6).
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseByteSize } from "./byte-size.js";

test("parses plain byte counts and unit suffixes", () => {
  assert.equal(parseByteSize(0), 0);
  assert.equal(parseByteSize(1234), 1234);
  assert.equal(parseByteSize("1234"), 1234);
  assert.equal(parseByteSize("10b"), 10);
  assert.equal(parseByteSize("1kb"), 1024);
  assert.equal(parseByteSize("1MB"), 1048576);
  assert.equal(parseByteSize("1.5 mb"), 1572864);
  assert.equal(parseByteSize("2gb"), 2 * 1024 ** 3);
});

test("rejects what is not a size", () => {
  for (const bad of [
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    "",
    "mb",
    "-1mb",
    "1tb",
    "1 m b",
    "0x10",
    null,
    {},
    true,
  ])
    assert.equal(parseByteSize(bad), null, String(bad));
});
