// R1: next.config `pageExtensions` decides which files are route handlers, as in Next
// (`route.<ext>` for exactly the listed extensions): with ["api.ts"], app/a/route.api.ts is the
// route at /a and app/b/route.ts is an ordinary module.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { buildProject, isApprouteError } from "approute";
import { startFixture } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";

const projects: Array<{ dispose(): void }> = [];
after(() => {
  for (const p of projects) p.dispose();
});

describe("pageExtensions (R1)", () => {
  test('["api.ts"]: only route.api.ts files are routes', async () => {
    const project = tempProject({
      "next.config.mjs": 'export default { pageExtensions: ["api.ts"] };\n',
      "app/a/route.api.ts":
        'import { label } from "../b/route";\nexport function GET() { return new Response("a " + label); }\n',
      // Not a route under this config: a plain module the route above imports.
      "app/b/route.ts":
        'export const label = "with b";\nexport function GET() { return new Response("b"); }\n',
    });
    projects.push(project);
    const fx = await startFixture("", { root: project.root });
    try {
      assert.deepEqual(
        fx.app.router.routes.map((r) => r.file),
        ["app/a/route.api.ts"],
      );
      const a = await fetch(`${fx.url}/a`);
      assert.equal(a.status, 200);
      assert.equal(await a.text(), "a with b");
      assert.equal((await fetch(`${fx.url}/b`)).status, 404);
    } finally {
      await fx.close();
    }
  });

  test("a function config and several extensions; non-script extensions are ignored", async () => {
    const project = tempProject({
      "next.config.mjs":
        'export default async function config() { return { pageExtensions: ["ts", "api.ts", "mdx"] }; }\n',
      "app/x/route.ts": 'export function GET() { return new Response("x"); }\n',
      "app/y/route.api.ts": 'export function GET() { return new Response("y"); }\n',
      "app/z/route.js": 'export function GET() { return new Response("z"); }\n',
      "app/w/route.mdx": "# not a route handler\n",
    });
    projects.push(project);
    const fx = await startFixture("", { root: project.root });
    try {
      assert.equal(await (await fetch(`${fx.url}/x`)).text(), "x");
      assert.equal(await (await fetch(`${fx.url}/y`)).text(), "y");
      assert.equal((await fetch(`${fx.url}/z`)).status, 404);
      assert.equal((await fetch(`${fx.url}/w`)).status, 404);
    } finally {
      await fx.close();
    }
  });

  test("an invalid value fails the build naming the option", async () => {
    const project = tempProject({
      "next.config.mjs": 'export default { pageExtensions: [".ts"] };\n',
      "app/x/route.ts": 'export function GET() { return new Response("x"); }\n',
    });
    projects.push(project);
    await assert.rejects(buildProject({ root: project.root }), (error) => {
      assert.ok(isApprouteError(error));
      assert.equal(error.code, "APR_INVALID_CONFIG");
      assert.match(error.message, /"pageExtensions".*without a leading dot.*\["\.ts"\]/);
      return true;
    });
  });
});
