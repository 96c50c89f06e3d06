// public/ as next start serves it (compared by hand with 16.4.6): each file at its path, ahead of a
// route with the same path; Cache-Control "public, max-age=0", a weak ETag, Last-Modified, 304s,
// byte ranges, a content type from the extension. Only files the build listed are served: no
// dotfiles but .well-known, nothing through encoded separators or dot segments, nothing added later.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";

const BIG = Buffer.alloc(300 * 1024);
for (let i = 0; i < BIG.length; i++) BIG[i] = 97 + (i % 26);

/** A raw request: fetch would normalise the path or decompress. */
function raw(
  url: string,
  path: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: init.method ?? "GET", headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("public/ files", () => {
  let project: TempProject;
  let server: FixtureServer;
  before(async () => {
    project = tempProject({
      "public/robots.txt": "User-agent: *\nAllow: /\n",
      "public/data.json": '{"x":1}',
      "public/.well-known/apple-app-site-association": '{"applinks":{}}',
      "public/.env": "SECRET=1\n",
      "public/.git/config": "[core]\n",
      "public/docs/with space.txt": "spaced",
      "public/api/shadowed": "from public",
      "app/api/shadowed/route.ts": `export function GET() { return new Response("from the route"); }\n`,
      "app/api/live/route.ts": `export function GET() { return new Response("live"); }\n`,
    });
    project.write("public/big.txt", BIG.toString("latin1"));
    server = await startFixture("public-files", { root: project.root });
  });
  after(async () => {
    await server?.close();
    project?.dispose();
  });

  test("a file: body, content type, validators and cache policy as next start sends them", async () => {
    const res = await raw(server.url, "/robots.txt");
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), "User-agent: *\nAllow: /\n");
    assert.equal(res.headers["content-type"], "text/plain; charset=UTF-8");
    assert.equal(res.headers["content-length"], "23");
    assert.equal(res.headers["cache-control"], "public, max-age=0");
    assert.equal(res.headers["accept-ranges"], "bytes");
    assert.match(String(res.headers.etag), /^W\/"17-[0-9a-f]+"$/);
    assert.ok(!Number.isNaN(Date.parse(String(res.headers["last-modified"]))));
    assert.equal(
      (await raw(server.url, "/data.json")).headers["content-type"],
      "application/json; charset=UTF-8",
    );
    const unknown = await raw(server.url, "/.well-known/apple-app-site-association");
    assert.equal(unknown.status, 200, ".well-known is served");
    assert.equal(unknown.headers["content-type"], "application/octet-stream");
    assert.equal((await raw(server.url, "/docs/with%20space.txt")).body.toString(), "spaced");
  });

  test("HEAD: the same headers, no body", async () => {
    const res = await raw(server.url, "/robots.txt", { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-length"], "23");
    assert.equal(res.body.length, 0);
  });

  test("conditional requests: 304 for a matching ETag or an unchanged date, 200 otherwise", async () => {
    const { headers } = await raw(server.url, "/robots.txt");
    const etag = String(headers.etag);
    const byTag = await raw(server.url, "/robots.txt", { headers: { "if-none-match": `"other", ${etag}` } });
    assert.equal(byTag.status, 304);
    assert.equal(byTag.body.length, 0);
    assert.equal(byTag.headers.etag, etag);
    const byDate = await raw(server.url, "/robots.txt", {
      headers: { "if-modified-since": String(headers["last-modified"]) },
    });
    assert.equal(byDate.status, 304);
    assert.equal(
      (await raw(server.url, "/robots.txt", { headers: { "if-none-match": '"other"' } })).status,
      200,
    );
    assert.equal(
      (
        await raw(server.url, "/robots.txt", {
          headers: { "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" },
        })
      ).status,
      200,
    );
  });

  test("byte ranges: 206 with Content-Range, suffix ranges, 416 past the end, the whole file for what is not one valid range", async () => {
    const first = await raw(server.url, "/robots.txt", { headers: { range: "bytes=0-3" } });
    assert.equal(first.status, 206);
    assert.equal(first.body.toString(), "User");
    assert.equal(first.headers["content-range"], "bytes 0-3/23");
    const suffix = await raw(server.url, "/robots.txt", { headers: { range: "bytes=-3" } });
    assert.equal(suffix.body.toString(), " /\n");
    const past = await raw(server.url, "/robots.txt", { headers: { range: "bytes=100-" } });
    assert.equal(past.status, 416);
    assert.equal(past.headers["content-range"], "bytes */23");
    for (const range of ["bytes=5-2", "bytes=0-1,4-5", "items=0-3", "bytes=x-y"])
      assert.equal((await raw(server.url, "/robots.txt", { headers: { range } })).status, 200, range);
    const stale = await raw(server.url, "/robots.txt", {
      headers: { range: "bytes=0-3", "if-range": 'W/"0-0"' },
    });
    assert.equal(stale.status, 200, "an If-Range that no longer matches gets the whole file");
  });

  test("a large file streams whole, and its ranges come from the right offset; gzip only for whole answers", async () => {
    const whole = await raw(server.url, "/big.txt");
    assert.equal(whole.status, 200);
    assert.ok(whole.body.equals(BIG));
    const middle = await raw(server.url, "/big.txt", { headers: { range: "bytes=200000-200009" } });
    assert.equal(middle.status, 206);
    assert.ok(middle.body.equals(BIG.subarray(200000, 200010)));
    const zipped = await raw(server.url, "/big.txt", { headers: { "accept-encoding": "gzip" } });
    assert.equal(zipped.headers["content-encoding"], "gzip");
    assert.ok(gunzipSync(zipped.body).equals(BIG));
    const part = await raw(server.url, "/big.txt", {
      headers: { "accept-encoding": "gzip", range: "bytes=0-9" },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers["content-encoding"], undefined);
    assert.equal(part.body.toString(), "abcdefghij");
  });

  test("a public file wins over a route of the same path; other paths still reach routes", async () => {
    assert.equal((await raw(server.url, "/api/shadowed")).body.toString(), "from public");
    assert.equal((await raw(server.url, "/api/live")).body.toString(), "live");
  });

  test("other methods: 405 with Allow", async () => {
    const res = await raw(server.url, "/robots.txt", { method: "POST" });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, "GET, HEAD");
  });

  test("hostile paths reach nothing outside the listed files", async () => {
    for (const path of [
      "/.env",
      "/.git/config",
      "/%2eenv",
      "/docs%2Fwith%20space.txt",
      "/docs/with%20space.txt%00",
      "/..%2f..%2fetc%2fpasswd",
      "/docs/..%2f..%2fpackage.json",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/ROBOTS.TXT",
      "/robots.txt%ZZ",
    ]) {
      const res = await raw(server.url, path);
      assert.ok(res.status === 404 || res.status === 400, `${path} answered ${res.status}`);
      assert.ok(!res.body.toString().includes("SECRET") && !res.body.toString().includes("root:"), path);
    }
    // A file put into public/ after the build is not served (as next start lists the folder once).
    project.write("public/later.txt", "later");
    assert.equal((await raw(server.url, "/later.txt")).status, 404);
  });
});

describe("public/ files with basePath", () => {
  let project: TempProject;
  let server: FixtureServer;
  before(async () => {
    project = tempProject({
      "next.config.mjs": `export default { basePath: "/base" };\n`,
      "public/robots.txt": "ok",
      "app/api/live/route.ts": `export function GET() { return new Response("live"); }\n`,
    });
    server = await startFixture("public-files-base", { root: project.root });
  });
  after(async () => {
    await server?.close();
    project?.dispose();
  });

  test("served under basePath only", async () => {
    assert.equal((await raw(server.url, "/base/robots.txt")).body.toString(), "ok");
    assert.equal((await raw(server.url, "/robots.txt")).status, 404);
  });
});

describe("public/ files with trailingSlash", () => {
  let project: TempProject;
  let server: FixtureServer;
  before(async () => {
    project = tempProject({
      "next.config.mjs": "export default { trailingSlash: true };\n",
      "public/robots.txt": "robots",
      "public/docs/README": "readme",
      "app/api/x/route.ts": `export function GET() { return new Response("x"); }\n`,
    });
    server = await startFixture("public-files-slash", { root: project.root });
  });
  after(async () => {
    await server?.close();
    project?.dispose();
  });

  test("as next start: a name with an extension keeps no slash, one without is served at its slash form", async () => {
    assert.equal((await raw(server.url, "/robots.txt")).body.toString(), "robots");
    const slashed = await raw(server.url, "/robots.txt/");
    assert.equal(slashed.status, 308);
    assert.equal(slashed.headers.location, "/robots.txt");
    const bare = await raw(server.url, "/docs/README");
    assert.equal(bare.status, 308);
    assert.equal(bare.headers.location, "/docs/README/");
    assert.equal((await raw(server.url, "/docs/README/")).body.toString(), "readme");
  });
});
