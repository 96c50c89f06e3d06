// Process helpers for the benchmark: free ports, pinned spawns, "first 200" polling, RSS of a tree.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";

/** A free loopback port (bound then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * The servers' environment: ours minus NODE_EXTRA_CA_CERTS. With it set (as some CI images and
 * sandboxes do) every Node process parses the whole CA bundle while it boots, before any of its
 * own code runs: ~60 ms of each peer's cold start on the benchmark machine, the same for all. No
 * server here makes an outgoing TLS call, so each peer boots as it would on a plain host.
 */
export function serverEnv(extra) {
  const env = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ...extra };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** Spawns `argv` pinned to `core` with `taskset` (the pid is the command's: taskset execs it). */
export function spawnPinned(core, argv, { cwd, env } = {}) {
  const child = spawn("taskset", ["-c", String(core), ...argv], {
    cwd,
    env: serverEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c) => {
    output += c;
  });
  child.stderr.on("data", (c) => {
    output += c;
  });
  child.output = () => output;
  child.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  return child;
}

/** Stops a spawned server (and its process group children) and waits for it to exit. */
export async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) {
    for (const pid of descendants(child.pid)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    child.kill("SIGKILL");
  }
  await child.exited;
}

/** One GET; resolves with { status, headers, body } or rejects on a connection error. */
export function get(url, headers = {}, method = "GET", body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Polls `url` until it answers 200; resolves with the milliseconds since `started`. Gives up after
 * `timeoutMs` or when the child exits.
 */
export async function waitFor200(url, child, started, timeoutMs = 60_000) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited before answering:\n${child.output()}`);
    if (performance.now() - started > timeoutMs) throw new Error(`no 200 from ${url} in ${timeoutMs} ms`);
    try {
      const res = await get(url);
      if (res.status === 200) return performance.now() - started;
    } catch {}
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** All descendant pids of `pid` (Linux /proc). */
export function descendants(pid) {
  const out = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      let children = "";
      try {
        children = readFileSync(`/proc/${p}/task/${t}/children`, "utf8");
      } catch {}
      for (const c of children.split(" ").filter(Boolean)) {
        out.push(Number(c));
        stack.push(Number(c));
      }
    }
  }
  return out;
}

function statusField(pid, field) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident set size of a process and all its descendants, and the peak of the main process. */
export function memoryOf(pid) {
  let rss = statusField(pid, "VmRSS");
  let peak = statusField(pid, "VmHWM");
  for (const child of descendants(pid)) {
    rss += statusField(child, "VmRSS");
    peak += statusField(child, "VmHWM");
  }
  return { rss, peak };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** CPU seconds (user + system) used so far by a process and its descendants. */
export function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    } catch {}
  }
  return ticks / CLOCK_TICKS;
}

const CLOCK_TICKS = 100;

/**
 * Resolves once the server `pid` has stopped burning CPU (less than 10 ms of CPU over 250 ms), or
 * after `limitMs`. A slow server keeps working through requests queued before wrk disconnected
 * (`next start` for seconds); the next measurement on the same core must not share it.
 */
export async function settled(pid, limitMs = 15_000) {
  const started = performance.now();
  let last = cpuSeconds(pid);
  while (performance.now() - started < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = cpuSeconds(pid);
    if (now - last < 0.01) return;
    last = now;
  }
}
