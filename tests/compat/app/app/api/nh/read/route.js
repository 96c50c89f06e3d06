import { headers } from "next/headers";

// headers() is the request's headers, read-only (R64).
export async function GET(request) {
  const h = await headers();
  let setError = null;
  try {
    h.set("x-new", "1");
  } catch (error) {
    setError = error.message;
  }
  return Response.json({
    a: h.get("x-a"),
    same: h.get("x-a") === request.headers.get("x-a"),
    accept: h.get("accept"),
    has: h.has("x-missing"),
    setError,
  });
}
