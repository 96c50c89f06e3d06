// The basePath + trailingSlash variant of rules-app (tests/compat/next-rules-fuzz-basepath.test.ts):
// the test makes this the copy's next.config.mjs, with the plain config moved to rules.mjs. Adds
// `basePath: false` rules (R146, R148, R149).
import rules from "./rules.mjs";

export default {
  ...rules,
  basePath: "/base",
  trailingSlash: true,
  async headers() {
    return [
      ...(await rules.headers()),
      { source: "/base/h/:id", basePath: false, headers: [{ key: "x-h-nb", value: ":id" }] },
      { source: "/free/:p*", basePath: false, headers: [{ key: "x-h-free", value: ":p*" }] },
    ];
  },
  async redirects() {
    return [
      ...(await rules.redirects()),
      { source: "/nobase/:id", destination: "/base/echo/nb/:id", basePath: false, permanent: false },
      { source: "/base/r/abs/:id", destination: "/r-abs/:id", basePath: false, permanent: false },
    ];
  },
};
