// `approute dev` output (issue #5): one line per request, handler errors with a source-mapped stack
// and a code frame of the route file, and typegen refreshed when routes are added or removed (R38).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type CliServer, spawnServer, tempProject, until } from "../helpers/project.ts";

describe("approute dev output", () => {
  const project = tempProject({
    "app/api/hello/route.ts": `export function GET() {\n  return Response.json({ ok: true });\n}\n`,
    "app/api/draft/route.ts": `import { draftMode } from "next/headers";\nexport async function GET() {\n  (await draftMode()).enable();\n  return new Response(null, { status: 204 });\n}\n`,
    "app/api/fail/route.ts": `// a comment so the error is not on line 1\nexport function GET(): Response {\n  throw new Error("kaboom");\n}\n`,
  });
  let server: CliServer | undefined;
  after(async () => {
    await server?.stop();
    project.dispose();
  });

  test("logs each request, and errors with a source-mapped stack and a code frame", async () => {
    server = await spawnServer(["dev", project.root, "-p", "0"]);
    const s = server;
    assert.equal((await fetch(`${s.url}/api/hello?x=1`)).status, 200);
    await until(async () => /GET \/api\/hello\?x=1 200 in \d+(\.\d)?ms/.test(s.output()), "the request line");
    assert.equal((await fetch(`${s.url}/nope`, { method: "POST" })).status, 404);
    await until(async () => /POST \/nope 404 in /.test(s.output()), "the 404 line");

    const res = await fetch(`${s.url}/api/fail`);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "", "no details to the client");
    await until(async () => /GET \/api\/fail 500 in /.test(s.output()), "the 500 line");
    const out = s.output();
    assert.match(out, /Error in route handler app\/api\/fail\/route\.ts \(GET \/api\/fail\)/);
    assert.match(
      out,
      /Error: kaboom\n\s+at GET \(.*app\/api\/fail\/route\.ts:3:\d+\)/,
      "stack points at the .ts source",
    );
    assert.match(
      out,
      /app\/api\/fail\/route\.ts:3:\d+\n.*\n.*\n> 3 \|\s+throw new Error\("kaboom"\);\n\s+\|\s+\^/,
    );
    assert.ok(!out.includes("\u001b["), "no colour when stdout is not a terminal");
  });

  test("R68: draftMode().enable() under dev sets SameSite=Lax without Secure, as next dev", async () => {
    assert.ok(server, "the dev server from the first test");
    const res = await fetch(`${server.url}/api/draft`);
    assert.equal(res.status, 204);
    const [cookie] = res.headers.getSetCookie();
    assert.match(cookie!, /^__prerender_bypass=[0-9a-f]{32}; Path=\/; HttpOnly; SameSite=lax$/);
  });

  test("typegen follows added and removed routes", async () => {
    const s = server!;
    const types = join(project.root, ".approute", "types", "routes.d.ts");
    assert.match(readFileSync(types, "utf8"), /"\/api\/hello": \{\};/);
    project.write("app/api/items/[id]/route.ts", `export const GET = () => new Response("item");\n`);
    await until(async () => (await fetch(`${s.url}/api/items/1`)).status === 200, "the added route");
    assert.match(readFileSync(types, "utf8"), /"\/api\/items\/\[id\]": \{ "id": string; \};/);
    project.remove("app/api/items");
    await until(async () => (await fetch(`${s.url}/api/items/1`)).status === 404, "the removed route");
    assert.doesNotMatch(readFileSync(types, "utf8"), /\/api\/items/);
  });
});
