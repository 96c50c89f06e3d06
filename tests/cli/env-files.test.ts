// .env files, loaded as next dev/build/start load them (with @next/env, Next's own loader): per
// mode, the first of .env.<mode>.local, .env.local (not in test), .env.<mode>, .env wins; the real
// environment wins over every file; $VAR references expand; dev reloads an edited file.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { BIN, spawnServer, tempProject, until } from "../helpers/project.ts";

const ENV_ROUTE = `export const dynamic = "force-dynamic";
const names = ["WHO", "SHARED", "LOCAL_ONLY", "URL", "FROM_SHELL", "AT_BUILD"];
export function GET() {
  return Response.json(Object.fromEntries(names.map((name) => [name, process.env[name] ?? null])));
}
`;

const FILES = {
  ".env": "WHO=env\nSHARED=from .env\nHOST=db.internal\nURL=postgres://$HOST:5432/app\nFROM_SHELL=file\n",
  ".env.local": "WHO=env.local\nLOCAL_ONLY=yes\n",
  ".env.production": "WHO=env.production\nSHARED=from .env.production\n",
  ".env.development": "WHO=env.development\n",
  ".env.test": "WHO=env.test\n",
  "app/env/route.ts": ENV_ROUTE,
  // next.config sees the files' values too (next build loads them before evaluating it).
  "next.config.mjs": `export default { env: { AT_BUILD: process.env.WHO } };\n`,
};

async function envOf(url: string): Promise<Record<string, string | null>> {
  const res = await fetch(`${url}/env`);
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, string | null>;
}

describe(".env files", () => {
  test("build and start: production files, .env.local over .env.production over .env, the shell over all", async () => {
    const project = tempProject(FILES);
    try {
      // NODE_ENV empty: approute chooses the mode (the test runner's own is "test").
      const env = { ...process.env, NODE_ENV: "", FROM_SHELL: "shell" };
      const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8", env });
      assert.equal(build.status, 0, build.stderr);
      assert.match(build.stdout, /approute: environment from \.env\.local, \.env\.production, \.env\n/);
      const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"], {
        env: { NODE_ENV: "", FROM_SHELL: "shell" },
      });
      try {
        assert.match(server.output(), /approute: environment from \.env\.local, \.env\.production, \.env\n/);
        assert.deepEqual(await envOf(server.url), {
          WHO: "env.local",
          SHARED: "from .env.production",
          LOCAL_ONLY: "yes",
          URL: "postgres://db.internal:5432/app",
          FROM_SHELL: "shell",
          AT_BUILD: "env.local",
        });
      } finally {
        await server.stop();
      }
    } finally {
      project.dispose();
    }
  });

  test('NODE_ENV "test": .env.test, and never .env.local', async () => {
    const project = tempProject(FILES);
    try {
      const env = { ...process.env, NODE_ENV: "test" };
      const build = spawnSync(process.execPath, [BIN, "build", project.root], { encoding: "utf8", env });
      assert.equal(build.status, 0, build.stderr);
      const server = await spawnServer(["start", project.root, "-p", "0", "-H", "127.0.0.1"], {
        env: { NODE_ENV: "test" },
      });
      try {
        const seen = await envOf(server.url);
        assert.equal(seen.WHO, "env.test");
        assert.equal(seen.LOCAL_ONLY, null);
      } finally {
        await server.stop();
      }
    } finally {
      project.dispose();
    }
  });

  test("dev: development files, and an edited file takes effect on the next rebuild", async () => {
    const project = tempProject({ ...FILES, ".env.local": "LOCAL_ONLY=first\n" });
    const server = await spawnServer(["dev", project.root, "-p", "0"], { env: { NODE_ENV: "" } });
    try {
      const first = await envOf(server.url);
      assert.equal(first.WHO, "env.development");
      assert.equal(first.LOCAL_ONLY, "first");
      project.write(".env.local", "LOCAL_ONLY=second\n");
      await until(async () => (await envOf(server.url)).LOCAL_ONLY === "second", "the reloaded value");
      assert.match(server.output(), /reloaded env from \.env\.local/);
      project.remove(".env.local");
      await until(async () => (await envOf(server.url)).LOCAL_ONLY === null, "the removed value");
    } finally {
      await server.stop();
      project.dispose();
    }
  });

  test("a project without env files loads nothing and says nothing", async () => {
    const project = tempProject({ "app/env/route.ts": ENV_ROUTE });
    try {
      const build = spawnSync(process.execPath, [BIN, "build", project.root], {
        encoding: "utf8",
        env: { ...process.env, NODE_ENV: "" },
      });
      assert.equal(build.status, 0, build.stderr);
      assert.doesNotMatch(build.stdout, /environment from/);
    } finally {
      project.dispose();
    }
  });
});
