// Compiles src/ to dist/ with tsc (JS + declarations). Run by `npm install` (prepare) and `npm test`.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
const tsc = require.resolve("typescript/bin/tsc");
const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
  stdio: "inherit",
  cwd: new URL("..", import.meta.url),
});
process.exit(result.status ?? 1);
