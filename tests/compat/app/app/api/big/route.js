// A body large enough for next start's compression to consider it (compress is on by default).
const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, name: `row number ${i}` }));
export function GET() {
  return Response.json(rows);
}
