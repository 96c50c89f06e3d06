// create-next-app's tsconfig maps "@/*" to "./src/*" (or "./*"); route files, "use cache" modules and
// JSON imports written that way build and serve unchanged.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { type TempProject, tempProject } from "../helpers/project.ts";

describe('tsconfig "paths" (the "@/*" alias of create-next-app)', () => {
  let project: TempProject;
  let server: FixtureServer;
  before(async () => {
    project = tempProject({
      "tsconfig.json": JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "esnext",
          moduleResolution: "bundler",
          resolveJsonModule: true,
          plugins: [{ name: "next" }],
          paths: { "@/*": ["./src/*"] },
        },
        include: ["**/*.ts"],
      }),
      "src/lib/settings.json": '{ "name": "from json" }\n',
      "src/lib/data.ts": `import settings from "@/lib/settings.json";
export async function load(id: string) {
  "use cache";
  return { id, name: settings.name, token: crypto.randomUUID() };
}
`,
      "src/app/api/items/[id]/route.ts": `import { load } from "@/lib/data";
export async function GET(_request: Request, ctx: RouteContext<"/api/items/[id]">) {
  return Response.json(await load((await ctx.params).id));
}
`,
    });
    server = await startFixture("tsconfig-paths", { root: project.root });
  });
  after(async () => {
    await server?.close();
    project?.dispose();
  });

  test("the aliased modules are bundled; the cached function behind them caches", async () => {
    const first = await (await fetch(`${server.url}/api/items/7`)).json();
    assert.equal(first.id, "7");
    assert.equal(first.name, "from json");
    const again = await (await fetch(`${server.url}/api/items/7`)).json();
    assert.equal(again.token, first.token, '"use cache" through an aliased import');
  });
});
