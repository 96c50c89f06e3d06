// \`instanceof Promise\` / \`instanceof NextRequest\` are left out on purpose: next start 16.4.6 reports
// false for both (the user's NextRequest is another module copy, params a thenable); approute
// reports true, as R34/R35 require (asserted in tests/core/routing.test.ts). Likewise \`await ctx.params\`
// on a route without dynamic segments: next start resolves undefined, approute resolves {} (R35).
export async function GET(request, ctx) {
  return Response.json({
    keys: Object.keys(ctx),
    ip: request.ip ?? null,
    cookie: request.cookies.get("a") ?? null,
    size: request.cookies.size,
  });
}
