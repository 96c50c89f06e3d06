// next.config rules of the rule-engine fuzz (R146–R150, R127): path-to-regexp features, has/missing
// on header, cookie, query and host, captures in destinations and header values.
const UPSTREAM = process.env.RULES_UPSTREAM ?? "http://127.0.0.1:9";

export default {
  async headers() {
    return [
      { source: "/h/:id", headers: [{ key: "x-h-id", value: ":id" }] },
      { source: "/h/:rest*", headers: [{ key: "x-h-rest", value: "r-:rest*" }] },
      { source: "/h/:n(\\d+)", headers: [{ key: "x-h-num", value: "n:n" }] },
      { source: "/h/:a/:b+", headers: [{ key: "x-h-ab", value: ":a|:b+" }] },
      {
        source: "/:path*",
        has: [{ type: "header", key: "x-tag", value: "(?<tag>[a-z]+)" }],
        headers: [{ key: "x-h-tag", value: ":tag" }],
      },
      {
        source: "/:path*",
        has: [{ type: "cookie", key: "theme" }],
        headers: [{ key: "x-h-theme", value: ":theme" }],
      },
      {
        source: "/h/(.*)",
        missing: [{ type: "query", key: "nomiss" }],
        headers: [{ key: "x-h-miss", value: "1" }],
      },
      {
        source: "/:path*",
        has: [{ type: "host", value: "(?<sub>[a-z]+)\\.example\\.com" }],
        headers: [{ key: "x-h-host", value: ":sub" }],
      },
      { source: "/items/:id", headers: [{ key: "x-h-items", value: ":id" }] },
      { source: "/af/:path*", headers: [{ key: "x-h-af", value: ":path*" }] },
      // The targets of the proxy's rewrites (R127, R129): headers() runs on the requested path only.
      { source: "/nope/:path*", headers: [{ key: "x-h-nope", value: ":path*" }] },
      { source: "/pd/:path*", headers: [{ key: "x-h-pd", value: ":path*" }] },
      { source: "/echo/:path*", headers: [{ key: "x-h-echo", value: "e" }] },
      { source: "/h/:n(\\d+)/:m", headers: [{ key: "x-h-k-:n", value: "v.:m" }] },
      { source: "/h/:id", headers: [{ key: "set-cookie", value: "h=:id; Path=/" }] },
      { source: "/h/:rest*", headers: [{ key: "set-cookie", value: "hr=:rest*" }] },
      // A query key repeated in the request, captured without a value regex (R148).
      { source: "/hq", has: [{ type: "query", key: "to" }], headers: [{ key: "x-h-q", value: ":to" }] },
      { source: "/hqs", has: [{ type: "query", key: "to" }], headers: [{ key: "x-h-qs", value: "v-:to*" }] },
      // Non-ASCII and percent-encoded characters in sources and values.
      { source: "/ñ/:x", headers: [{ key: "x-h-uni", value: ":x" }] },
      { source: "/pct%20h/:x", headers: [{ key: "x-h-pct", value: "v:x" }] },
      {
        source: "/hqv",
        has: [{ type: "query", key: "to", value: "(?<tv>[a-z]*)" }],
        headers: [{ key: "x-h-qv", value: ":tv" }],
      },
    ];
  },
  async redirects() {
    return [
      { source: "/r/old/:id", destination: "/echo/new/:id", permanent: false },
      { source: "/r/perm/:slug*", destination: "/echo/perm/:slug*", permanent: true },
      { source: "/r/plus/:slug+", destination: "/echo/plus/:slug+?from=plus", statusCode: 302 },
      { source: "/r/opt/:x?", destination: "/echo/opt/:x?", statusCode: 303 },
      { source: "/r/num/:id(\\d+)", destination: "/echo/num?id=:id", statusCode: 301 },
      {
        source: "/r/q",
        has: [{ type: "query", key: "to", value: "(?<to>[a-z]+)" }],
        destination: "/echo/q/:to",
        permanent: false,
      },
      {
        source: "/r/h",
        has: [{ type: "header", key: "xgo" }],
        destination: "/echo/h/:xgo",
        permanent: false,
      },
      {
        source: "/r/c",
        has: [{ type: "cookie", key: "sess", value: "(?<sid>\\d+)" }],
        destination: "/echo/c?sid=:sid",
        permanent: true,
      },
      {
        source: "/r/m",
        missing: [{ type: "cookie", key: "sess" }],
        destination: "/echo/login",
        permanent: false,
      },
      { source: "/r/ext/:path*", destination: "https://example.com/:path*", permanent: false },
      { source: "/r/wild/(.*)", destination: "/echo/wild", permanent: false },
      { source: "/r/multi/:a/:b", destination: "/echo/:b/:a?a=:a", permanent: false },
      {
        source: "/r/host",
        has: [{ type: "host", value: "localhost" }],
        destination: "/echo/host",
        permanent: false,
      },
      { source: "/r/to", has: [{ type: "header", key: "xto" }], destination: "/:xto", permanent: false },
      {
        source: "/r/h2",
        has: [{ type: "header", key: "X-Up_1" }],
        destination: "/echo/h2?v=:xup",
        permanent: false,
      },
      {
        source: "/r/hostre",
        has: [{ type: "host", value: "[a-z]+\\.example\\.com" }],
        destination: "/echo/hostre?h=:host",
        permanent: false,
      },
      {
        source: "/r/cq",
        has: [
          { type: "cookie", key: "sess" },
          { type: "query", key: "to", value: "(?<to>.*)" },
        ],
        missing: [{ type: "header", key: "x-v", value: "(?<nope>1.*)" }],
        destination: "/echo/cq/:to?s=:sess",
        permanent: false,
      },
      { source: "/:a/r-any", destination: "/echo/any/:a", permanent: false },
      { source: "/r/keep", destination: "/echo/keep?x=1&x=2", permanent: false },
      // Non-ASCII and percent-encoded characters in sources, destinations and captures (R149).
      { source: "/café/:x", destination: "/echo/cafe/:x", permanent: false },
      { source: "/r/uni/:x", destination: "/echo/ñ/:x?v=é:x", permanent: false },
      { source: "/r/euro", destination: "/echo/euro?v=€", permanent: false },
      { source: "/r/enc/:x", destination: "/echo/enc/:x?x=:x", permanent: false },
      { source: "/r/pct%2Fs/:x", destination: "/echo/pct%20d/:x", permanent: false },
      { source: "/r/uext/:x", destination: "https://example.com/ü/:x?q=é", permanent: false },
      // A query key repeated in the request (R149): captured without a value regex into a path, a
      // repeated path param and a query value; `missing` with and without a value.
      { source: "/r/qa", has: [{ type: "query", key: "to" }], destination: "/echo/qa/:to", permanent: false },
      {
        source: "/r/qs",
        has: [{ type: "query", key: "to" }],
        destination: "/echo/qs/:to*",
        permanent: false,
      },
      {
        source: "/r/qq",
        has: [{ type: "query", key: "to" }],
        destination: "/echo/qq?t=:to",
        permanent: false,
      },
      { source: "/r/qm", missing: [{ type: "query", key: "to" }], destination: "/echo/qm", permanent: false },
      {
        source: "/r/qn",
        missing: [{ type: "query", key: "to", value: "abc" }],
        destination: "/echo/qn",
        permanent: false,
      },
    ];
  },
  async rewrites() {
    return {
      beforeFiles: [
        { source: "/bf/:id", destination: "/echo/bf/:id" },
        {
          source: "/items/:id(\\d+)",
          has: [{ type: "query", key: "bf" }],
          destination: "/echo/bf-items/:id",
        },
        // Chains (R127): to a dynamic route (afterFiles rules still apply), and on.
        { source: "/bfd/:id", destination: "/p/:id" },
        { source: "/bfc/:id", destination: "/bfc2/:id" },
        { source: "/bfc2/:id", destination: "/echo/bfc/:id" },
        // To a path no route serves, and to a redirect's source (R127: headers() and redirects()
        // ran on the requested path and do not run again).
        { source: "/bf-nope/:x", destination: "/nope/:x" },
        { source: "/bf-r/:x", destination: "/r/old/:x" },
      ],
      afterFiles: [
        { source: "/af/:path*", destination: "/echo/af/:path*?via=af" },
        { source: "/chain/:x", destination: "/chain2/:x" },
        { source: "/chain2/:x", destination: "/echo/chain/:x" },
        { source: "/chainfb/:x", destination: "/chainfb2/:x" },
        { source: "/p/:id", destination: "/echo/p/:id" },
        { source: "/af-q/:id", destination: "/echo/afq?id=:id&x=:id" },
        {
          source: "/af-h",
          has: [{ type: "header", key: "x-v", value: "(?<v>\\d+)" }],
          destination: "/echo/afh/:v",
        },
        { source: "/af-opt/:a?/:b?", destination: "/echo/afopt/:a?/:b?" },
        { source: "/ü/:x", destination: "/echo/u/:x" },
        { source: "/af-uni/:x", destination: "/echo/ü/:x" },
        { source: "/af-rq", has: [{ type: "query", key: "to" }], destination: "/echo/afrq/:to" },
        { source: "/af-rqs", has: [{ type: "query", key: "to" }], destination: "/echo/afrqs/:to*" },
        { source: "/af-nope/:x", destination: "/nope/:x" },
        { source: "/af-r/:x", destination: "/r/old/:x" },
      ],
      fallback: [
        { source: "/fb/:path*", destination: "/echo/fb/:path*" },
        { source: "/chainfb2/:x", destination: "/echo/chainfb/:x" },
        { source: "/fb-nope/:x", destination: "/nope/:x" },
        // External destinations (R150): the test starts an echo server and names it here.
        { source: "/ext/:path*", destination: `${UPSTREAM}/up/:path*` },
        { source: "/ext-q/:id", destination: `${UPSTREAM}/upq/:id?x=:id&static=1` },
        { source: "/ext-np/:id", destination: `${UPSTREAM}/upnp` },
        {
          source: "/ext-h",
          has: [{ type: "header", key: "x-v", value: "(?<v>\\d+)" }],
          destination: `${UPSTREAM}/uph/:v?v=:v`,
        },
        { source: "/ext-uni/:x", destination: `${UPSTREAM}/é/:x?q=ü` },
        { source: "/ext-rq", has: [{ type: "query", key: "to" }], destination: `${UPSTREAM}/uprq?t=:to` },
        { source: "/ext-rqp", has: [{ type: "query", key: "to" }], destination: `${UPSTREAM}/uprqp` },
      ],
    };
  },
};
