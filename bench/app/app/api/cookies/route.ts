// GET /api/cookies — read a cookie from the request and set one on the response.
import { type NextRequest, NextResponse } from "next/server";

export function GET(request: NextRequest) {
  const visits = Number(request.cookies.get("visits")?.value ?? "0") + 1;
  const response = NextResponse.json({ visits });
  response.cookies.set("visits", String(visits), { path: "/", httpOnly: true });
  return response;
}
