import { cookies } from "next/headers";
import { permanentRedirect, redirect } from "next/navigation";
export async function GET(request) {
  (await cookies()).set("rc", "1");
  if (request.nextUrl.searchParams.has("permanent")) permanentRedirect("/api/hello");
  redirect("/api/hello");
}
