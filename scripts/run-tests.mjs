// Runs every *.test.ts under tests/ and src/ with Node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [filter...]  — filters match against file paths.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const files = [];
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "fixtures" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith(".test.ts")) files.push(relative(root, path));
  }
}
walk(join(root, "src"));
walk(join(root, "tests"));
const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", ...selected.sort()],
  {
    stdio: "inherit",
    cwd: root,
    env: { ...process.env, NODE_ENV: "test" },
  },
);
process.exit(result.status ?? 1);
