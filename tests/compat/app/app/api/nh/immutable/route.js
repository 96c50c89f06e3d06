import { cookies } from "next/headers";

// cookies() mutations merged into a Response whose headers are immutable (R61).
export async function GET() {
  (await cookies()).set("im", "1");
  return Response.redirect("https://example.com/im", 302);
}
