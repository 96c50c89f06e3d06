// The published package is bundled (scripts/build-lib.mjs). Users see class names in logs, in
// `constructor.name` and in util.inspect; the bundle must not show a bundler's internal aliases.
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { revalidatePath, revalidateTag, unstable_cache } from "approute/cache";
import { cookies, draftMode, headers } from "approute/headers";
import { Response as BoundResponse } from "approute/internal/globals";
import { NextRequest, NextResponse, URLPattern, userAgent } from "approute/server";

test("exported classes and functions keep the names they have in the source", () => {
  const response = NextResponse.json({ ok: true });
  assert.equal(NextResponse.name, "NextResponse");
  assert.equal(response.constructor.name, "NextResponse");
  assert.match(inspect(response), /^NextResponse /);
  const request = new NextRequest("http://localhost/a?b=1");
  assert.equal(request.constructor.name, "NextRequest");
  assert.equal(request.nextUrl.constructor.name, "NextURL");
  assert.equal(BoundResponse.name, "Response");
  assert.equal(typeof URLPattern, "function");
  for (const [name, fn] of Object.entries({
    userAgent,
    cookies,
    draftMode,
    headers,
    revalidatePath,
    revalidateTag,
    unstable_cache,
  }))
    assert.equal(fn.name, name);
});
