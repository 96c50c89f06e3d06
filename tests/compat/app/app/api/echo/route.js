export async function POST(request) {
  const form = await request.formData();
  return Response.json({ name: form.get("name"), file: form.get("file")?.name ?? null });
}
