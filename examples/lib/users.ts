// A cached data helper: the "use cache" directive caches the result per argument.
const users: Record<string, { id: string; name: string }> = {
  "1": { id: "1", name: "Ada" },
  "2": { id: "2", name: "Grace" },
};

export async function getUser(id: string) {
  "use cache";
  return users[id] ?? null;
}
