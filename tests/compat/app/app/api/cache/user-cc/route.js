// A cached GET keeps the handler's own Cache-Control (R95).
export const dynamic = "force-static";
export function GET() {
  return new Response("user cc", { headers: { "cache-control": "max-age=10" } });
}
