// revalidate = false caches for good (R81).
export const revalidate = false;
export function GET() {
  return new Response("forever", { headers: { "x-kept": "1" } });
}
