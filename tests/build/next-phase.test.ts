// NEXT_PHASE as next build sets it: code that runs while building (a prerendered GET and the top
// level of the modules loaded for it) sees "phase-production-build"; the server does not. Checked
// against next build && next start 16.4.6.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { BIN, spawnServer, tempProject } from "../helpers/project.ts";

const ROUTE = (config: string) => `${config}
const atLoad = process.env.NEXT_PHASE ?? null;
export function GET() {
  return Response.json({ atLoad, atGet: process.env.NEXT_PHASE ?? null });
}
`;

test("NEXT_PHASE is phase-production-build while the build prerenders, unset when serving", async () => {
  const project = tempProject({
    "app/static/route.ts": ROUTE('export const dynamic = "force-static";'),
    "app/live/route.ts": ROUTE(""),
  });
  try {
    const env = { ...process.env };
    delete env.NEXT_PHASE;
    const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8", env });
    assert.equal(build.status, 0, build.stderr);
    const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"]);
    try {
      const prerendered = await (await fetch(`${server.url}/static`)).json();
      assert.deepEqual(prerendered, { atLoad: "phase-production-build", atGet: "phase-production-build" });
      const live = await (await fetch(`${server.url}/live`)).json();
      assert.deepEqual(live, { atLoad: null, atGet: null });
    } finally {
      await server.stop();
    }
  } finally {
    project.dispose();
  }
});
