// Every method exported: the automatic OPTIONS lists them sorted (R22).
const answer = (request) => Response.json({ method: request.method });
export const GET = answer;
export const POST = answer;
export const PUT = answer;
export const DELETE = answer;
export const PATCH = answer;
