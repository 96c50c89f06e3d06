// GET /users/:id — params are typed from the folder name by `approute typegen`.
import { getUser } from "../../../lib/users";

export async function GET(_request: Request, ctx: RouteContext<"/users/[id]">) {
  const { id } = await ctx.params;
  const user = await getUser(id);
  if (!user) return Response.json({ error: "not found" }, { status: 404 });
  return Response.json(user);
}
