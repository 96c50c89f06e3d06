import { headers } from "next/headers";

// Every request header a handler sees, through request.headers and headers() (R47, R64).
export async function GET(request) {
  return Response.json({ request: [...request.headers], headers: [...(await headers())] });
}
