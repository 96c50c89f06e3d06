// The canonical cached data function: one SQL query per hour at most, invalidated by tag on writes.
import { cacheLife, cacheTag } from "next/cache";
import { database, type Product } from "./db";

export async function getProducts(): Promise<{ products: Product[]; queriedAt: string }> {
  "use cache";
  cacheLife("hours");
  cacheTag("products");
  const products = database().prepare("SELECT id, name, price FROM products ORDER BY id").all() as Product[];
  return { products, queriedAt: new Date().toISOString() };
}

export function addProduct(name: string, price: number): Product {
  const result = database().prepare("INSERT INTO products (name, price) VALUES (?, ?)").run(name, price);
  return { id: Number(result.lastInsertRowid), name, price };
}
