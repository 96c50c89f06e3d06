// The basePath + trailingSlash variant of rules-app (tests/compat/next-rules-fuzz-basepath.test.ts):
// the test makes this the copy's next.config.mjs, with the plain config moved to rules.mjs. Adds
// `basePath: false` rules (R146, R148–R150): sources inside and outside basePath, params, has
// conditions, internal and external destinations (Next refuses an internal basePath: false
// rewrite at build).
import rules from "./rules.mjs";

const UPSTREAM = process.env.RULES_UPSTREAM ?? "http://127.0.0.1:9";

export default {
  ...rules,
  basePath: "/base",
  trailingSlash: true,
  async headers() {
    return [
      ...(await rules.headers()),
      { source: "/base/h/:id", basePath: false, headers: [{ key: "x-h-nb", value: ":id" }] },
      { source: "/free/:p*", basePath: false, headers: [{ key: "x-h-free", value: ":p*" }] },
      {
        source: "/:p*",
        basePath: false,
        has: [{ type: "header", key: "x-tag" }],
        headers: [{ key: "x-h-nbtag", value: ":xtag@:p*" }],
      },
    ];
  },
  async redirects() {
    return [
      ...(await rules.redirects()),
      { source: "/nobase/:id", destination: "/base/echo/nb/:id", basePath: false, permanent: false },
      { source: "/base/r/abs/:id", destination: "/r-abs/:id", basePath: false, permanent: false },
      { source: "/nb-out/:id", destination: "https://example.com/x/:id", basePath: false, permanent: false },
      {
        source: "/nb-has/:id",
        has: [{ type: "query", key: "to", value: "(?<to>[a-z]+)" }],
        destination: "/base/echo/nbh/:id?t=:to",
        basePath: false,
        permanent: true,
      },
      {
        source: "/base/nb-in/:rest*",
        missing: [{ type: "cookie", key: "sess" }],
        destination: "/echo/nbi/:rest*",
        basePath: false,
        statusCode: 302,
      },
    ];
  },
  async rewrites() {
    const own = await rules.rewrites();
    return {
      ...own,
      beforeFiles: [
        ...own.beforeFiles,
        { source: "/nb-ext/:path*", destination: `${UPSTREAM}/nb/:path*`, basePath: false },
        {
          source: "/base/nb-ext2/:id",
          has: [{ type: "header", key: "x-v", value: "(?<v>\\d+)" }],
          destination: `${UPSTREAM}/nb2/:id?v=:v`,
          basePath: false,
        },
      ],
      fallback: [
        ...own.fallback,
        { source: "/nb-fb/:id", destination: `${UPSTREAM}/nbfb`, basePath: false },
        { source: "/base/nb-fb2/:id", destination: `${UPSTREAM}/nbfb2/:id`, basePath: false },
      ],
    };
  },
};
