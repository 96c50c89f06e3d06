// GET /api/ua — NextRequest gives typed access to headers, cookies and the parsed URL.
import { type NextRequest, NextResponse } from "next/server";

export async function GET(request: NextRequest) {
  return NextResponse.json({
    userAgent: request.headers.get("user-agent"),
    query: Object.fromEntries(request.nextUrl.searchParams),
  });
}
