// revalidate = 60: ISR headers (R75, R76).
export const revalidate = 60;
export function GET() {
  return Response.json({ cached: "reval" });
}
