// `import.meta.url` in route code names the source file, as with `next build && next start` 16.4.6
// (migration parity): there a route answers `import.meta.url` with its own route.ts URL and reads
// `new URL("./data.json", import.meta.url)` beside it. Strings that spell the name keep their text;
// a "use cache" helper and next.config (pinned by config-paths.ts) name their own files too; after
// the project moved, route code's URLs name the new place.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { BIN, spawnServer, tempProject } from "../helpers/project.ts";

const FILES = {
  "next.config.mjs": "export default { env: { CONFIG_URL: import.meta.url } };\n",
  "app/data/data.json": '{ "hello": "world" }\n',
  "app/data/route.ts": `import { readFile } from "node:fs/promises";
export async function GET() {
  return new Response(await readFile(new URL("./data.json", import.meta.url), "utf8"));
}
`,
  "app/url/route.ts": `export function GET() {
  // import.meta.url in a comment stays a comment
  return Response.json({ url: import.meta.url, text: "import.meta.url", config: process.env.CONFIG_URL });
}
`,
  "lib/where.ts": `export async function where() {\n  "use cache";\n  return import.meta.url;\n}\n`,
  "app/cached/route.ts": `import { where } from "../../lib/where";
export async function GET() {
  return Response.json({ url: await where() });
}
`,
};

async function answers(url: string, root: string, configRoot = root) {
  const data = await (await fetch(`${url}/data`)).text();
  assert.deepEqual(JSON.parse(data), { hello: "world" });
  assert.deepEqual(await (await fetch(`${url}/url`)).json(), {
    url: pathToFileURL(join(root, "app/url/route.ts")).href,
    text: "import.meta.url",
    config: pathToFileURL(join(configRoot, "next.config.mjs")).href,
  });
  assert.deepEqual(await (await fetch(`${url}/cached`)).json(), {
    url: pathToFileURL(join(root, "lib/where.ts")).href,
  });
}

test("approute build + start: import.meta.url names the source file, also after the project moved", async () => {
  const project = tempProject(FILES);
  const moved = join(tmpdir(), `approute-moved-url-${process.pid}-${Date.now()}`);
  try {
    const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8" });
    assert.equal(build.status, 0, build.stderr);
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      await answers(server.url, project.root);
    } finally {
      await server.stop();
    }
    const builtAt = project.root;
    cpSync(project.root, moved, { recursive: true, verbatimSymlinks: true });
    project.dispose();
    const again = await spawnServer(["start", moved, "-p", "0", "-H", "127.0.0.1"]);
    try {
      // next.config's paths are pinned to where it was built (config-paths.ts), route code's are not.
      await answers(again.url, moved, builtAt);
    } finally {
      await again.stop();
    }
  } finally {
    project.dispose();
    rmSync(moved, { recursive: true, force: true });
  }
});

test("approute dev: import.meta.url names the source file", async () => {
  const project = tempProject(FILES);
  try {
    const server = await spawnServer(["dev", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      await answers(server.url, project.root);
    } finally {
      await server.stop();
    }
  } finally {
    project.dispose();
  }
});
