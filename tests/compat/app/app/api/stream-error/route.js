// A body stream that fails after its first chunk (R26).
export function GET() {
  return new Response(
    new ReadableStream({
      pull(controller) {
        if (this.sent) {
          controller.error(new Error("mid-stream"));
          return;
        }
        this.sent = true;
        controller.enqueue(new TextEncoder().encode("first"));
      },
    }),
    { headers: { "content-type": "text/plain" } },
  );
}
