import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { implicitTags } from "../cache/tags.js";
import { routeResponseKey } from "./incremental-handler.js";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

test("R113, R121: a non-ASCII route's cacheHandler key hashes its page name as written, not its header-safe tag", () => {
  const tags = implicitTags("/café", "/caf%C3%A9");
  assert.ok(tags.includes("_N_T_/caf%C3%A9/route"));
  assert.equal(
    routeResponseKey(tags, "/caf%C3%A9"),
    `/route-cache/APP_ROUTE/${sha("/café/route")}/$/caf%C3%A9`,
  );
  // A directory literally named with an ASCII escape keeps it (Next's page name does too).
  assert.equal(
    routeResponseKey(implicitTags("/%5Fesc", "/_esc"), "/_esc"),
    `/route-cache/APP_ROUTE/${sha("/%5Fesc/route")}/$/_esc`,
  );
});
