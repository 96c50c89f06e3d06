import { revalidatePath } from "next/cache";

// revalidatePath from a route handler (R110, R112).
export function POST() {
  revalidatePath("/api/cache/tagged");
  return Response.json({ revalidated: true });
}
