import { connection } from "next/server";

// connection() makes a revalidate = 60 route dynamic (R71).
export const revalidate = 60;
export async function GET() {
  await connection();
  return Response.json({ cached: "conn" });
}
