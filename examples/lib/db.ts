// The example's database: SQLite through better-sqlite3, one file, created and seeded on first use.
// PRODUCTS_DB chooses the file (default: products.sqlite in the working directory; ":memory:" works).
import Database from "better-sqlite3";

export interface Product {
  id: number;
  name: string;
  price: number;
}

let db: Database.Database | undefined;

export function database(): Database.Database {
  if (db) return db;
  db = new Database(process.env.PRODUCTS_DB ?? "products.sqlite");
  db.pragma("journal_mode = WAL");
  db.exec(
    "CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, price REAL NOT NULL)",
  );
  const { n } = db.prepare("SELECT count(*) AS n FROM products").get() as { n: number };
  if (n === 0) {
    const insert = db.prepare("INSERT INTO products (name, price) VALUES (?, ?)");
    for (const [name, price] of [
      ["Keyboard", 49],
      ["Mouse", 19],
      ["Monitor", 199],
    ] as const)
      insert.run(name, price);
  }
  return db;
}
