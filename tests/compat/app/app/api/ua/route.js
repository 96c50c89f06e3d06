import { userAgent } from "next/server";

// userAgent() parsing (R118).
export function GET(request) {
  return Response.json(userAgent(request));
}
