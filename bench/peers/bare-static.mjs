// A reference for the static endpoint, not a peer: bare node:http sending exactly approute's
// answer to GET /api/static (its five headers as a flat list) with approute's server options.
// `ALS=1` enters one AsyncLocalStorage at start, to measure what that costs every request on Node 20.
// Used with bench/ab-cpu.mjs (see RESULTS.md, session 6).
import { AsyncLocalStorage } from "node:async_hooks";
import { createServer } from "node:http";

if (process.env.ALS) new AsyncLocalStorage().run(1, () => {});
const BODY = JSON.stringify({ static: true, items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
const HEADERS = [
  "cache-control",
  "s-maxage=31536000",
  "content-type",
  "application/json",
  "x-nextjs-cache",
  "HIT",
  "vary",
  "Accept-Encoding",
  "content-length",
  String(Buffer.byteLength(BODY)),
];
const server = createServer(
  {
    headersTimeout: 30_000,
    requestTimeout: 300_000,
    keepAliveTimeout: 5_000,
    maxHeaderSize: 16 * 1024,
    connectionsCheckingInterval: 1_000,
  },
  (req, res) => {
    void req.headers.host; // approute's listener reads it
    res.writeHead(200, HEADERS);
    res.end(BODY);
  },
);
server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
