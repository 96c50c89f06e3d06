import { cookies } from "next/headers";
import { NextResponse } from "next/server";
export async function GET(request) {
  const jar = await cookies();
  jar.set("a", "x");
  jar.set({ name: "b", value: "x y", httpOnly: true, path: "/p", sameSite: "lax", secure: true });
  jar.delete("gone");
  const res = NextResponse.json({ seen: jar.getAll(), fromRequest: request.cookies.getAll() });
  res.cookies.set("a", "from-response");
  res.cookies.set("c", "3", { domain: "example.com", priority: "high", partitioned: true });
  return res;
}
