// Runs wrk pinned to the load core and parses its report.
import { spawn } from "node:child_process";

const UNIT = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function ms(text) {
  const m = text.match(/([\d.]+)(us|ms|s|m)\b/);
  return m ? Number(m[1]) * UNIT[m[2]] : Number.NaN;
}

/** Parses `wrk --latency` output into numbers. */
export function parseWrk(out) {
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? Number.NaN);
  const p50 = ms(out.match(/^\s+50%\s+(\S+)/m)?.[1] ?? "");
  const p99 = ms(out.match(/^\s+99%\s+(\S+)/m)?.[1] ?? "");
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? 0);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const socket = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return { rps, p50, p99, requests, errors: non2xx + socketErrors };
}

/** One bounded wrk run on `core`; resolves with the parsed report. */
export function runWrk({ core, url, seconds, connections, script, headers = [] }) {
  const args = [
    "-c",
    String(core),
    "wrk",
    "-t1",
    `-c${connections}`,
    `-d${seconds}s`,
    "--latency",
    "--timeout",
    "10s",
  ];
  for (const h of headers) args.push("-H", h);
  if (script) args.push("-s", script);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn("taskset", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
    });
    child.stderr.on("data", (c) => {
      out += c;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) reject(new Error(`wrk exited with ${code}:\n${out}`));
      else resolve({ ...parseWrk(out), raw: out });
    });
  });
}
