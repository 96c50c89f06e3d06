import { headers } from "next/headers";

// headers() sees the proxy's request headers (R64, R128).
export async function GET() {
  const h = await headers();
  return Response.json({ fromProxy: h.get("x-from-proxy"), dropped: h.get("x-drop-me") });
}
