export async function GET() {
  throw new Error("boom");
}
