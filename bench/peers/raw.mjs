// The five benchmark endpoints on plain node:http: the baseline every ratio is taken against.
import { createServer } from "node:http";

const STATIC_BODY = Buffer.from(JSON.stringify({ static: true, items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }));

function json(res, body, extra) {
  const text = JSON.stringify(body);
  const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(text) };
  if (extra) Object.assign(headers, extra);
  res.writeHead(200, headers);
  res.end(text);
}

function cookie(header, name) {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const server = createServer((req, res) => {
  const url = req.url;
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  if (req.method === "GET" && path === "/api/hello") return json(res, { message: "Hello, World!" });
  if (
    req.method === "GET" &&
    path.startsWith("/api/users/") &&
    path.indexOf("/", 11) === -1 &&
    path.length > 11
  ) {
    const id = decodeURIComponent(path.slice(11));
    return json(res, { id, name: `User ${id}` });
  }
  if (req.method === "POST" && path === "/api/echo") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        json(res, JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        res.writeHead(400, { "content-length": "0" });
        res.end();
      }
    });
    return;
  }
  if (req.method === "GET" && path === "/api/static") {
    res.writeHead(200, { "content-type": "application/json", "content-length": STATIC_BODY.length });
    return res.end(STATIC_BODY);
  }
  if (req.method === "GET" && path === "/api/cookies") {
    const visits = Number(cookie(req.headers.cookie, "visits") ?? "0") + 1;
    return json(res, { visits }, { "set-cookie": `visits=${visits}; Path=/; HttpOnly` });
  }
  res.writeHead(404, { "content-length": "0" });
  res.end();
});
server.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
