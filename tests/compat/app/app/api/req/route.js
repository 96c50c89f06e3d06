// The Request members a handler can read besides url/headers/cookies (R34, R138).
async function describe(request) {
  const clone = request.clone();
  let headerSet = null;
  try {
    request.headers.set("x-set", "1");
    headerSet = request.headers.get("x-set");
  } catch (error) {
    headerSet = `${error.constructor.name}: ${error.message}`;
  }
  return {
    method: request.method,
    isRequest: request instanceof Request,
    hasBody: request.body !== null,
    bodyUsed: request.bodyUsed,
    cache: request.cache,
    credentials: request.credentials,
    destination: request.destination,
    integrity: request.integrity,
    keepalive: request.keepalive,
    mode: request.mode,
    redirect: request.redirect,
    referrer: request.referrer,
    referrerPolicy: request.referrerPolicy,
    aborted: request.signal.aborted,
    text: await request.text(),
    cloneText: await clone.text(),
    bodyUsedAfter: request.bodyUsed,
    headerSet,
  };
}
export async function GET(request) {
  return Response.json(await describe(request));
}
export async function POST(request) {
  return Response.json(await describe(request));
}
