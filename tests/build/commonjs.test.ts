// CommonJS in the app as Next runs it: a next.config.js with require(), require.resolve() and
// __dirname (the way Next's docs write `cacheHandler: require.resolve("./cache-handler.js")`, R152),
// with next/constants' PHASE_* names, and route helpers that require Node built-ins and packages.
// esbuild's ESM output has no `require`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startFixture } from "../helpers/fixture.ts";
import { tempProject } from "../helpers/project.ts";

test("a CommonJS next.config.js and CommonJS helpers build and run", async () => {
  const project = tempProject({
    "next.config.js": `const path = require("node:path");
const { PHASE_DEVELOPMENT_SERVER, PHASE_PRODUCTION_SERVER } = require("next/constants");
module.exports = (phase) => ({
  env: {
    CFG_DIR: __dirname,
    CFG_RESOLVED: require.resolve("./lib/settings.cjs"),
    CFG_JOINED: path.join(__dirname, "data"),
    CFG_PHASE: phase === PHASE_PRODUCTION_SERVER ? "server" : phase === PHASE_DEVELOPMENT_SERVER ? "dev" : phase,
  },
});
`,
    "lib/settings.cjs": "module.exports = {};\n",
    "lib/helper.cjs": `const { createHash } = require("node:crypto");
const shout = require("cjs-shout");
module.exports = { digest: (s) => createHash("sha256").update(s).digest("hex").length, shout, here: typeof __dirname };
`,
    "node_modules/cjs-shout/package.json":
      '{ "name": "cjs-shout", "version": "1.0.0", "main": "index.js" }\n',
    "node_modules/cjs-shout/index.js": "module.exports = (s) => String(s).toUpperCase();\n",
    "app/cjs/route.ts": `import helper from "../../lib/helper.cjs";
export function GET() {
  return Response.json({
    digest: helper.digest("x"),
    shout: helper.shout("hi"),
    here: helper.here,
    dir: process.env.CFG_DIR,
    resolved: process.env.CFG_RESOLVED,
    joined: process.env.CFG_JOINED,
    phase: process.env.CFG_PHASE,
  });
}
`,
  });
  try {
    const server = await startFixture("", { root: project.root });
    try {
      const res = await fetch(`${server.url}/cjs`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        digest: 64,
        shout: "HI",
        here: "string",
        dir: project.root,
        resolved: `${project.root}/lib/settings.cjs`,
        joined: `${project.root}/data`,
        phase: "server",
      });
    } finally {
      await server.close();
    }
  } finally {
    project.dispose();
  }
});
