import { redirect } from "next/navigation";
import { NextResponse } from "next/server";

// Redirect responses built in a handler (R29, R53): statuses and Location for each form.
export function GET(request) {
  switch (request.nextUrl.searchParams.get("kind")) {
    case "same-origin":
      return NextResponse.redirect(new URL("/api/hello?x=1", request.url));
    case "301":
      return NextResponse.redirect("https://example.com/a b?c=d e", 301);
    case "init":
      return NextResponse.redirect("https://example.com", { status: 303, headers: { "x-r": "1" } });
    case "response":
      return Response.redirect("https://example.com/x?y=1", 302);
    case "relative":
      return NextResponse.redirect("/api/hello");
    case "bad-status":
      return NextResponse.redirect("https://example.com/", 200);
    case "nav-absolute":
      redirect("https://example.com/abs?q=1");
      break;
    case "nav-relative":
      redirect("hello?y=2");
      break;
  }
  return new Response("no kind", { status: 400 });
}
