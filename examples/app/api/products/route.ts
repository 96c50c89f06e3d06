// GET /api/products — served from the "use cache" entry (SQLite is queried at most once an hour).
// POST /api/products {"name": "Desk", "price": 250} — inserts and marks the cached list stale.
import { revalidateTag } from "next/cache";
import { addProduct, getProducts } from "../../../lib/products";

export async function GET() {
  return Response.json(await getProducts());
}

export async function POST(request: Request) {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return Response.json({ error: "expected a JSON body" }, { status: 400 });
  }
  const { name, price } = (body ?? {}) as { name?: unknown; price?: unknown };
  if (typeof name !== "string" || name.trim() === "" || name.length > 200)
    return Response.json({ error: '"name" must be a non-empty string' }, { status: 400 });
  if (typeof price !== "number" || !Number.isFinite(price) || price < 0)
    return Response.json({ error: '"price" must be a non-negative number' }, { status: 400 });
  const product = addProduct(name.trim(), price);
  // Stale-while-revalidate: the next GET gets the old list once while the new one is computed.
  revalidateTag("products", "max");
  return Response.json(product, { status: 201 });
}
