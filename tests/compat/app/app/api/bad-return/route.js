export async function GET() {
  return { a: 1 };
}
