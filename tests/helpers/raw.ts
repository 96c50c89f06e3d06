// Raw HTTP over node:net, for requests fetch() would normalise away (odd methods, absolute-form
// targets, `//` paths, malformed escapes).
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string[]>;
  body: string;
  raw: string;
}

/** Sends `request` (full bytes) and resolves with the first response once the server closes or it is complete. */
export function rawRequest(
  url: string,
  request: string,
  options: { head?: boolean } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => {
      data += chunk;
      const parsed = parse(data, false, options.head);
      if (parsed) {
        socket.destroy();
        resolve(parsed);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const parsed = parse(data, true, options.head);
      if (parsed) resolve(parsed);
      else reject(new Error(`connection closed without a complete response: ${JSON.stringify(data)}`));
    });
    socket.write(request);
  });
}

function parse(data: string, closed = false, head = false): RawResponse | null {
  const end = data.indexOf("\r\n\r\n");
  if (end === -1) return null;
  const [statusLine, ...lines] = data.slice(0, end).split("\r\n");
  const status = Number(statusLine!.split(" ")[1]);
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    const name = line.slice(0, i).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(i + 1).trim());
  }
  let body = data.slice(end + 4);
  if (head) return { status, headers, body, raw: data };
  const length = headers["content-length"]?.[0];
  if (length !== undefined) {
    if (body.length < Number(length)) return null;
    body = body.slice(0, Number(length));
  } else if (headers["transfer-encoding"]?.[0] === "chunked") {
    if (!body.endsWith("0\r\n\r\n")) return closed ? { status, headers, body, raw: data } : null;
    body = dechunk(body);
  } else if (status === 204 || status === 304) {
    body = "";
  } else if (!closed) {
    return null;
  }
  return { status, headers, body: Buffer.from(body, "latin1").toString("utf8"), raw: data };
}

function dechunk(body: string): string {
  let out = "";
  let pos = 0;
  for (;;) {
    const lineEnd = body.indexOf("\r\n", pos);
    const size = Number.parseInt(body.slice(pos, lineEnd), 16);
    if (!size) return out;
    out += body.slice(lineEnd + 2, lineEnd + 2 + size);
    pos = lineEnd + 2 + size + 2;
  }
}

/** A minimal request: `METHOD target HTTP/1.1` with Host and Connection: close. */
export function simple(method: string, target: string, extra = ""): string {
  return `${method} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`;
}
