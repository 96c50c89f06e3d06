// revalidate = 0 is dynamic (R81).
export const revalidate = 0;
export function GET() {
  return Response.json({ cached: "zero" });
}
