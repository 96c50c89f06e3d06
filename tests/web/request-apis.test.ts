// Request bodies (R136–R138), next/server helpers (R118, R142, R143, R71) and next/headers outside
// a request, through the real build and server.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { after, before, describe, test } from "node:test";
import { ErrorCode } from "approute";
import { cookies, draftMode, headers } from "approute/headers";
import { after as scheduleAfter } from "approute/server";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";

let fx: FixtureServer;
before(async () => {
  fx = await startFixture("request-apis");
});
after(() => fx.close());

const post = (path: string, init: RequestInit = {}) => fetch(fx.url + path, { method: "POST", ...init });

describe("request bodies (R136–R138)", () => {
  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
    test(`${method}: json, text, arrayBuffer, blob, stream`, async () => {
      const json = await fetch(`${fx.url}/api/body/json`, {
        method,
        body: '{"a":[1,"é"],"__proto__":{"x":1}}',
        headers: { "content-type": "application/json" },
      });
      const parsed = await json.json();
      assert.deepEqual(parsed.json.a, [1, "é"]);
      assert.ok(Object.hasOwn(parsed.json, "__proto__"), "JSON.parse keeps __proto__ as an own key");

      const text = await fetch(`${fx.url}/api/body/text`, { method, body: "héllo" });
      assert.deepEqual(await text.json(), { text: "héllo" });

      const bytes = await fetch(`${fx.url}/api/body/arraybuffer`, {
        method,
        body: new Uint8Array([0, 255, 7]),
      });
      assert.deepEqual(await bytes.json(), { isArrayBuffer: true, bytes: [0, 255, 7] });

      const blob = await fetch(`${fx.url}/api/body/blob`, {
        method,
        body: "blob!",
        headers: { "content-type": "text/x-thing" },
      });
      assert.deepEqual(await blob.json(), { isBlob: true, size: 5, type: "text/x-thing", text: "blob!" });

      const big = randomBytes(300_000);
      const stream = await fetch(`${fx.url}/api/body/stream`, { method, body: big });
      assert.deepEqual(await stream.json(), { total: big.byteLength, bodyUsed: true });
    });
  }

  test("a body can be read once (R138)", async () => {
    const res = await post("/api/body/twice", { body: "once" });
    assert.deepEqual(await res.json(), { second: "TypeError", bodyUsed: true });
  });

  test("invalid JSON rejects in the handler → empty 500, logged (R136)", async () => {
    const before = fx.logs.length;
    const res = await post("/api/body/json", {
      body: "{bad",
      headers: { "content-type": "application/json" },
    });
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "");
    assert.ok(fx.logs.slice(before).some((l) => l.error instanceof SyntaxError));
  });

  test("urlencoded formData()", async () => {
    const res = await post("/api/body/form", { body: new URLSearchParams({ name: "bob", city: "Zürich" }) });
    assert.deepEqual(await res.json(), { name: "bob", city: "Zürich" });
  });

  test("multipart formData() with a 5 MB file arrives intact (checksum)", async () => {
    const file = randomBytes(5 * 1024 * 1024);
    const form = new FormData();
    form.append("name", "bob");
    form.append("file", new Blob([file], { type: "application/octet-stream" }), "big.bin");
    form.append("note", new Blob(["hi"], { type: "text/plain" }), "x.txt");
    const res = await post("/api/body/form", { body: form });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      name: "bob",
      file: {
        ctor: "File",
        name: "big.bin",
        type: "application/octet-stream",
        size: file.byteLength,
        sha256: createHash("sha256").update(file).digest("hex"),
      },
      note: {
        ctor: "File",
        name: "x.txt",
        type: "text/plain",
        size: 2,
        sha256: createHash("sha256").update("hi").digest("hex"),
      },
    });
  });
});

describe("next/* export lists (R117, R118)", () => {
  test("R117, R118: next/cache, next/server and next/headers export what Next 16.4.6 exports", async () => {
    const names = await (await fetch(`${fx.url}/api/exports`)).json();
    // Object.keys of each module under `next start` (16.4.6), less CommonJS's `default`.
    const next = {
      cache: [
        "cacheLife",
        "cacheTag",
        "io",
        "navigation",
        "prefetch",
        "refresh",
        "revalidatePath",
        "revalidateTag",
        "unstable_cache",
        "unstable_cacheLife",
        "unstable_cacheTag",
        "unstable_noStore",
        "updateTag",
      ],
      server: [
        "ImageResponse",
        "NextRequest",
        "NextResponse",
        "URLPattern",
        "after",
        "connection",
        "userAgent",
        "userAgentFromString",
      ],
      headers: ["cookies", "draftMode", "headers"],
    };
    for (const [module, expected] of Object.entries(next)) {
      const missing = expected.filter((name) => !names[module].includes(name));
      assert.deepEqual(missing, [], `next/${module} lacks ${missing.join(", ")}`);
    }
  });

  test("R117: navigation()/prefetch() need cacheComponents; unstable_cacheLife/unstable_cacheTag still work, warning once", async () => {
    const body = await (await fetch(`${fx.url}/api/defer`)).json();
    assert.match(
      body.navigation.error,
      /Route \/api\/defer used `navigation\(\)`, which requires Cache Components/,
    );
    assert.match(body.prefetch.error, /used `prefetch\(\)`, which requires Cache Components/);
    assert.deepEqual(body.tagged, { value: "tagged" });
    await (await fetch(`${fx.url}/api/defer`)).arrayBuffer();
    for (const alias of ["unstable_cacheLife", "unstable_cacheTag"]) {
      const warnings = fx.logs.filter((l) => l.level === "warn" && l.message.includes(`\`${alias}\``));
      assert.equal(warnings.length, 1, `one deprecation warning for ${alias}`);
    }
  });
});

describe("NextResponse.rewrite() and next() (R54)", () => {
  test("build the header shapes next start's NextResponse builds", async () => {
    const body = await (await fetch(`${fx.url}/api/middleware-shapes`)).json();
    // Captured from the same route under `next start` (16.4.6).
    assert.deepEqual(body, {
      rewrite: {
        status: 200,
        nullBody: true,
        headers: [["x-middleware-rewrite", "http://example.com/x?y=1"]],
      },
      rewriteUrl: {
        status: 200,
        nullBody: true,
        headers: [["x-middleware-rewrite", `${fx.url.replace("127.0.0.1", "localhost")}/a/b?c=d`]],
      },
      rewriteInit: {
        status: 201,
        nullBody: true,
        headers: [
          ["x-a", "1"],
          ["x-middleware-rewrite", "http://example.com/x"],
        ],
      },
      rewriteRequest: {
        status: 200,
        nullBody: true,
        headers: [
          ["x-middleware-override-headers", "a,x-b"],
          ["x-middleware-request-a", "1"],
          ["x-middleware-request-x-b", "2"],
          ["x-middleware-rewrite", "http://example.com/x"],
        ],
      },
      next: { status: 200, nullBody: true, headers: [["x-middleware-next", "1"]] },
      nextRequest: {
        status: 200,
        nullBody: true,
        headers: [
          ["x-middleware-next", "1"],
          ["x-middleware-override-headers", "a,c,x-up"],
          ["x-middleware-request-a", "1"],
          ["x-middleware-request-c", ""],
          ["x-middleware-request-x-up", "Z"],
        ],
      },
      nextInit: {
        status: 204,
        nullBody: true,
        headers: [
          ["x-c", "3"],
          ["x-middleware-next", "1"],
        ],
      },
      plainObject: "request.headers must be an instance of Headers",
      relative:
        'URL is malformed "/relative". Please use only absolute URLs - https://nextjs.org/docs/messages/middleware-relative-urls',
    });
  });
});

describe("next/server helpers (R118)", () => {
  test("userAgent() parses the User-Agent header like Next (ua-parser-js + isBot)", async () => {
    const chrome =
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    const res = await fetch(`${fx.url}/api/ua`, { headers: { "user-agent": chrome } });
    const { ua, none } = await res.json();
    assert.equal(ua.isBot, false);
    assert.equal(ua.browser.name, "Chrome");
    assert.equal(ua.browser.major, "120");
    assert.equal(ua.os.name, "Mac OS");
    assert.equal(ua.ua, chrome);
    assert.equal(none.isBot, false);

    const bot = await fetch(`${fx.url}/api/ua`, {
      headers: { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" },
    });
    assert.equal((await bot.json()).ua.isBot, true);
  });

  test("URLPattern works on Node 20 (polyfilled when the platform has none)", async () => {
    const hit = await (await fetch(`${fx.url}/api/urlpattern?path=/books/42`)).json();
    assert.deepEqual(hit, { test: true, groups: { id: "42" } });
    const miss = await (await fetch(`${fx.url}/api/urlpattern?path=/films/1`)).json();
    assert.deepEqual(miss, { test: false, groups: null });
  });

  test("ImageResponse is not supported: a clear error, logged; the client gets an empty 500", async () => {
    const before = fx.logs.length;
    const res = await fetch(`${fx.url}/api/image`);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "");
    const logged = fx.logs.slice(before).find((l) => l.error instanceof Error);
    assert.match(
      String((logged?.error as Error | undefined)?.message),
      /ImageResponse is not supported by approute/,
    );
  });

  test("connection() resolves to undefined at request time (R71)", async () => {
    assert.deepEqual(await (await fetch(`${fx.url}/api/connection`)).json(), { resolved: true });
  });

  test("after() runs once the response is sent, can read headers() but not set cookies, and its errors are only logged (R142, R143, R67)", async () => {
    const res = await fetch(`${fx.url}/api/after?id=t1`, { headers: { "user-agent": "after-agent" } });
    assert.deepEqual(await res.json(), { ranBeforeReturn: false });
    let entries: string[] = [];
    for (let i = 0; i < 500 && !entries.includes("t1:after-agent"); i++) {
      entries = await (await fetch(`${fx.url}/api/after-log`)).json();
    }
    assert.ok(entries.includes("t1:after-agent"), JSON.stringify(entries));
    for (let i = 0; i < 500 && !entries.some((e) => e.startsWith("t1:cookie-")); i++) {
      entries = await (await fetch(`${fx.url}/api/after-log`)).json();
    }
    assert.equal(entries.filter((e) => e === "t1:after-agent").length, 1, "runs exactly once");
    // R67: cookies cannot be changed once the response is gone.
    assert.ok(
      entries.some((e) => e.startsWith("t1:cookie-refused:Cookies can only be modified in a Server Action")),
      JSON.stringify(entries),
    );
    assert.equal(res.headers.get("set-cookie"), null);
    const messages = fx.logs.map((l) => String((l.error as Error)?.message));
    assert.ok(messages.includes("after failed t1"));
    assert.ok(messages.includes("after promise rejected t1"));
    // The server is still serving.
    assert.equal((await fetch(`${fx.url}/api/connection`)).status, 200);
  });
});

describe("cookie jars before and after Headers exist (R44–R46, R55–R59, #6)", () => {
  // fetch() would merge the lines itself; node:http sends a raw header array line by line (and then
  // adds no Host of its own).
  const getWithCookieLines = (mode: string, lines: string[]) =>
    new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        `${fx.url}/api/cookie-jar?mode=${mode}`,
        {
          headers: [
            "host",
            new URL(fx.url).host,
            ...lines.flatMap((line) => ["cookie", line]),
          ] as unknown as Record<string, string>,
        },
        (res) => {
          let text = "";
          res
            .setEncoding("utf8")
            .on("data", (c) => (text += c))
            .on("end", () => resolve(text));
        },
      );
      req.on("error", reject).end();
    });

  test("request.cookies reads the raw Cookie header; duplicate Cookie lines join with '; '", async () => {
    const body = await getWithCookieLines("request-set", ["x=1; drop=2", "y=%20z"]);
    assert.deepEqual(JSON.parse(body), {
      seen: [
        { name: "x", value: "1" },
        { name: "drop", value: "2" },
        { name: "y", value: " z" },
      ],
      header: "x=1; y=%20z; added=1",
      after: [
        { name: "x", value: "1" },
        { name: "y", value: " z" },
        { name: "added", value: "1" },
      ],
    });
  });

  test("request.headers joins duplicate Cookie lines with '; ' too", async () => {
    const body = await getWithCookieLines("headers", ["x=1", "y=2"]);
    assert.deepEqual(JSON.parse(body), { header: "x=1; y=2" });
  });

  test("NextResponse.cookies without Headers: one Set-Cookie per name, last value wins", async () => {
    const res = await fetch(`${fx.url}/api/cookie-jar`, { headers: { cookie: "k=v" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(res.headers.getSetCookie(), ["a=3; Path=/", "b=2; Path=/"]);
    assert.deepEqual(await res.json(), { seen: [{ name: "k", value: "v" }] });
  });

  test("NextResponse.cookies after response.headers was read: the pending cookies move into it", async () => {
    const res = await fetch(`${fx.url}/api/cookie-jar?mode=read-between`);
    assert.equal(res.headers.get("x-between"), "1");
    assert.deepEqual(res.headers.getSetCookie(), [
      "a=3; Path=/",
      "b=2; Path=/",
      "c=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    ]);
  });
});

describe("next/headers outside a request (R64–R68)", () => {
  const message =
    /was called outside a request scope\. It can only be used inside a route handler, proxy\/middleware/;
  for (const [name, call] of [
    ["headers", () => headers()],
    ["cookies", () => cookies()],
    ["draftMode", () => draftMode()],
  ] as const) {
    test(`${name}() rejects with APR_OUTSIDE_REQUEST`, async () => {
      await assert.rejects(call(), (error: Error & { code?: string }) => {
        assert.equal(error.code, ErrorCode.OUTSIDE_REQUEST);
        assert.match(error.message, new RegExp(`^\`${name}\` ${message.source}`));
        return true;
      });
    });
  }
  test("after() throws APR_OUTSIDE_REQUEST synchronously", () => {
    assert.throws(
      () => scheduleAfter(() => {}),
      (error: Error & { code?: string }) =>
        error.code === ErrorCode.OUTSIDE_REQUEST && message.test(error.message),
    );
  });
});

describe("draftMode() (R68)", () => {
  test("a guessed bypass cookie does not enable it; the one enable() sets does", async () => {
    for (const guess of ["development-id", "1", ""]) {
      const res = await fetch(`${fx.url}/api/draft`, { headers: { cookie: `__prerender_bypass=${guess}` } });
      assert.deepEqual(await res.json(), { before: false, after: false }, guess);
    }
    const enabled = await fetch(`${fx.url}/api/draft?action=enable`);
    assert.deepEqual(await enabled.json(), { before: false, after: true });
    const [cookie] = enabled.headers.getSetCookie();
    assert.match(cookie!, /^__prerender_bypass=[0-9a-f]{32}; Path=\/; Secure; HttpOnly; SameSite=none$/);
    const pair = cookie!.split(";")[0]!;
    const check = await fetch(`${fx.url}/api/draft?action=disable`, { headers: { cookie: pair } });
    assert.deepEqual(await check.json(), { before: true, after: false });
    assert.match(
      check.headers.getSetCookie()[0]!,
      /^__prerender_bypass=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT;/,
    );
  });
});
