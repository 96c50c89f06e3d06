import { cookies } from "next/headers";

// Handlers that return no Response or fail (R24, R25): status and body in production.
export async function GET(request) {
  switch (request.nextUrl.searchParams.get("kind")) {
    case "null":
      return null;
    case "undefined":
      return;
    case "string":
      return "text";
    case "json":
      return Response.json({ big: 1n });
    case "throw-string":
      throw "plain string";
    case "reject":
      return Promise.reject(new TypeError("nope"));
    case "cookie-then-throw":
      (await cookies()).set("lost", "1");
      throw new Error("after cookie");
  }
  return new Response("no kind", { status: 400 });
}
