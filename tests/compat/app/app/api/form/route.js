// request.formData() for urlencoded and multipart bodies (R137).
export async function POST(request) {
  const form = await request.formData();
  const out = [];
  for (const [key, value] of form)
    out.push([
      key,
      typeof value === "string" ? value : { name: value.name, type: value.type, size: value.size },
    ]);
  return Response.json(out);
}
