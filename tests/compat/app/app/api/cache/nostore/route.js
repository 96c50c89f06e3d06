import { unstable_noStore } from "next/cache";

// unstable_noStore() makes a revalidate = 60 route dynamic (R115).
export const revalidate = 60;
export function GET() {
  unstable_noStore();
  return Response.json({ cached: "nostore" });
}
