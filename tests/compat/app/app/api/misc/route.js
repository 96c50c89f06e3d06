import { refresh, revalidateTag, unstable_cache, updateTag } from "next/cache";
import { forbidden, redirect, unauthorized } from "next/navigation";
import { NextResponse } from "next/server";

let calls = 0;
const cached = unstable_cache(async () => ++calls, ["misc-counter"], { revalidate: 3600 });

// Less common calls in a handler (R28, R30, R31, R52, R107-R109, R114).
async function run(request) {
  switch (request.nextUrl.searchParams.get("kind")) {
    case "forbidden":
      forbidden();
      break;
    case "unauthorized":
      unauthorized();
      break;
    case "redirect":
      redirect("/api/hello");
      break;
    case "rewrite":
      return NextResponse.rewrite(new URL("/api/hello", request.url));
    case "update-tag":
      updateTag("t");
      return new Response("updated");
    case "refresh":
      refresh();
      return new Response("refreshed");
    case "revalidate-tag":
      return Response.json({ returned: revalidateTag("t", "max") ?? null });
    case "unstable-cache":
      return Response.json([await cached(), await cached()]);
    case "json-undefined":
      return Response.json(undefined);
    case "status-101":
      return new NextResponse(null, { status: 101 });
    case "error":
      return Response.error();
  }
  return new Response("no kind", { status: 400 });
}
export const GET = run;
export const POST = run;
