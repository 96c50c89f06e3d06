// A private redis-server for a test: a free loopback port, no persistence, stopped by the test.
import { type ChildProcess, spawn } from "node:child_process";
import { connect, createServer } from "node:net";
import { until } from "./project.ts";

export interface RedisServer {
  url: string;
  port: number;
  /** SIGKILLs the server (as a crash would) and waits for it to exit. */
  kill(): Promise<void>;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("error", () => resolve(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
  });
}

/** Starts redis-server on `port` (default: a free one) and resolves once it answers PING. */
export async function startRedis(port?: number): Promise<RedisServer> {
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(chosen), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await until(() => answersPing(chosen), `redis-server on port ${chosen}`);
  return {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    async kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
