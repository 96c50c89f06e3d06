// The five benchmark endpoints on Fastify (no plugins: the cookie is read and written by hand).
import Fastify from "fastify";

const STATIC = { static: true, items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };

function cookie(header, name) {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const app = Fastify({ logger: false });
app.get("/api/hello", async () => ({ message: "Hello, World!" }));
app.get("/api/users/:id", async (request) => {
  const { id } = request.params;
  return { id, name: `User ${id}` };
});
app.post("/api/echo", async (request) => request.body);
app.get("/api/static", async () => STATIC);
app.get("/api/cookies", async (request, reply) => {
  const visits = Number(cookie(request.headers.cookie, "visits") ?? "0") + 1;
  reply.header("set-cookie", `visits=${visits}; Path=/; HttpOnly`);
  return { visits };
});
await app.listen({ port: Number(process.env.PORT ?? 3000), host: "127.0.0.1" });
