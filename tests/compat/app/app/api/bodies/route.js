// Response bodies of every kind and the content-type each implies (R63, R139).
export function GET(request) {
  switch (request.nextUrl.searchParams.get("kind")) {
    case "stream":
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("a"));
            controller.enqueue(new TextEncoder().encode("b"));
            controller.close();
          },
        }),
      );
    case "bytes":
      return new Response(new Uint8Array([104, 105]));
    case "blob":
      return new Response(new Blob(["<b>x</b>"], { type: "text/html" }));
    case "params":
      return new Response(new URLSearchParams({ a: "1 2" }));
    case "empty":
      return new Response("", { status: 200 });
    case "status-text":
      return new Response("teapot", { status: 418, statusText: "I am a teapot" });
    case "json-init":
      return Response.json(
        { x: "é" },
        { status: 201, headers: { "content-type": "application/vnd.x+json" } },
      );
  }
  return new Response("no kind", { status: 400 });
}
