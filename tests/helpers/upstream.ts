// A tiny upstream HTTP server for data-cache tests: counts requests per path, answers JSON
// `{ path, n, method, body }` (plus `pad` under /big) with an `x-up: 1` header, can fail (500) or hold chosen paths.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Upstream {
  url: string;
  /** Requests seen for `path` so far. */
  count(path: string): number;
  /** Paths that answer 500 while listed. */
  failing: Set<string>;
  /** Paths whose answer waits for the promise (to keep a request in flight). */
  held: Map<string, Promise<void>>;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const hits = new Map<string, number>();
  const failing = new Set<string>();
  const held = new Map<string, Promise<void>>();
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", async () => {
      await held.get(path);
      res.statusCode = failing.has(path) ? 500 : 200;
      res.setHeader("content-type", "application/json");
      res.setHeader("x-up", "1");
      // Paths under /big carry 3 MB of padding (above the data cache's 2 MB entry limit).
      const pad = path.startsWith("/big") ? "x".repeat(3 * 1024 * 1024) : undefined;
      res.end(JSON.stringify({ path, n, method: req.method, body, pad }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: (path) => hits.get(path) ?? 0,
    failing,
    held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
