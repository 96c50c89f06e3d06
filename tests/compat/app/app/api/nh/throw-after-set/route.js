import { cookies } from "next/headers";

// cookies() mutations before a throw: the 500 carries no cookie (R25, R61).
export async function GET() {
  (await cookies()).set("lost", "1");
  throw new Error("boom");
}
