// The five benchmark endpoints on Hono + @hono/node-server.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";

const STATIC = { static: true, items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
const app = new Hono();
app.get("/api/hello", (c) => c.json({ message: "Hello, World!" }));
app.get("/api/users/:id", (c) => {
  const id = c.req.param("id");
  return c.json({ id, name: `User ${id}` });
});
app.post("/api/echo", async (c) => c.json(await c.req.json()));
app.get("/api/static", (c) => c.json(STATIC));
app.get("/api/cookies", (c) => {
  const visits = Number(getCookie(c, "visits") ?? "0") + 1;
  setCookie(c, "visits", String(visits), { path: "/", httpOnly: true });
  return c.json({ visits });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: "127.0.0.1" });
