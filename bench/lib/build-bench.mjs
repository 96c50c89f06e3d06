// Build-time benchmark: `approute build` of a generated 200-route app, wall clock from spawn to exit.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serverEnv } from "./proc.mjs";

/** Writes a project with `count` route files (a mix of static, dynamic, JSON and cookie routes). */
export function generateApp(dir, repo, count = 200) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(repo, join(dir, "node_modules", "approute"), "dir");
  for (let i = 0; i < count; i++) {
    const kind = i % 4;
    const folder =
      kind === 0
        ? `app/api/r${i}`
        : kind === 1
          ? `app/api/r${i}/[id]`
          : kind === 2
            ? `app/(g)/x${i}`
            : `app/api/c${i}/[...rest]`;
    mkdirSync(join(dir, folder), { recursive: true });
    const source =
      kind === 3
        ? `import { NextResponse } from "next/server";\nimport { cookies } from "next/headers";\n\nexport async function GET(_r: Request, { params }: { params: Promise<{ rest: string[] }> }) {\n  const jar = await cookies();\n  const res = NextResponse.json({ rest: (await params).rest, n: ${i}, seen: jar.has("seen") });\n  res.cookies.set("seen", "1");\n  return res;\n}\n`
        : `import { type NextRequest, NextResponse } from "next/server";\n\ninterface Item { id: number; label: string }\n\nexport async function GET(request: NextRequest) {\n  const items: Item[] = [{ id: ${i}, label: "route ${i}" }];\n  return NextResponse.json({ items, q: request.nextUrl.searchParams.get("q") });\n}\n\nexport async function POST(request: Request) {\n  return Response.json(await request.json(), { status: 201 });\n}\n`;
    writeFileSync(join(dir, folder, "route.ts"), source);
  }
}

/** Runs `approute build` `runs` times; returns the wall-clock times (ms) and the CLI's own figure. */
export function timeBuilds(dir, bin, runs = 3) {
  const wall = [];
  const reported = [];
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    const result = spawnSync("taskset", ["-c", "0", process.execPath, bin, "build", dir], {
      encoding: "utf8",
      env: serverEnv(),
    });
    wall.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`approute build failed:\n${result.stdout}${result.stderr}`);
    const m = result.stdout.match(/built (\d+) routes? in (\d+) ms/);
    if (m) reported.push(Number(m[2]));
  }
  return { wall, reported };
}
