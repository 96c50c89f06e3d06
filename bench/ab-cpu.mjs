// `node bench/ab-cpu.mjs <path> <rounds> "<command with $PORT>" ...`: A/B of server CPU per request.
// Starts every command (each must serve `<path>` on $PORT) pinned to core 0, then in each round loads
// each server in turn for 1 s with wrk on core 1 (64 connections), reading the server's CPU time
// from /proc before and after. Prints per server the median CPU µs per request and req/s, and the
// efficiency relative to the first command. Compared runs are a second apart, so they share the
// host's drift. Linux only; needs wrk and taskset. Example:
//   node bench/ab-cpu.mjs /api/static 12 "node bench/peers/raw.mjs" \
//     "node bin/approute.js start bench/.work/profile-app -p \$PORT -H 127.0.0.1"
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

const [path, rounds, ...commands] = process.argv.slice(2);
if (!path || !rounds || commands.length === 0) {
  console.error('usage: node bench/ab-cpu.mjs <path> <rounds> "<command with $PORT>" ...');
  process.exit(2);
}
const servers = commands.map((command, i) => {
  const port = 7300 + i;
  const line = command.replaceAll("$PORT", String(port));
  const child = spawn("taskset", ["-c", "0", "bash", "-c", `exec env ${line}`], {
    stdio: "ignore",
    env: { ...process.env, PORT: String(port) },
  });
  return { command, port, child, cpu: [], rps: [] };
});
const stop = () => {
  for (const s of servers) s.child.kill();
};
process.on("exit", stop);

/** utime + stime of a process, in clock ticks (10 ms). */
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]);
};
const wrk = (port, seconds = 1) =>
  execFileSync(
    "taskset",
    ["-c", "1", "wrk", "-t1", "-c64", `-d${seconds}s`, `http://127.0.0.1:${port}${path}`],
    { encoding: "utf8" },
  );

for (const s of servers) {
  for (;;) {
    try {
      execFileSync("curl", ["-sf", "-o", "/dev/null", `http://127.0.0.1:${s.port}${path}`]);
      break;
    } catch {
      if (s.child.exitCode !== null) throw new Error(`server exited: ${s.command}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
for (const s of servers) wrk(s.port, 2); // warm-up
for (let r = 0; r < Number(rounds); r++) {
  for (const s of servers) {
    const before = cpuTicks(s.child.pid);
    const out = wrk(s.port);
    const after = cpuTicks(s.child.pid);
    const requests = Number(/(\d+) requests in/.exec(out)[1]);
    s.cpu.push(((after - before) * 10_000) / requests);
    s.rps.push(requests);
  }
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
for (const s of servers)
  console.log(
    `${median(s.cpu).toFixed(2)} µs/req  ${median(s.rps)} req/s  efficiency ${(median(servers[0].cpu) / median(s.cpu)).toFixed(3)}  ${s.command}`,
  );
stop();
