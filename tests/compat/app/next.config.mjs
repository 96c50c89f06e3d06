// next.config cases of the differential suite (spec §12). Sources are kept to /cfg* paths so the
// other cases are untouched.
export default {
  async headers() {
    return [
      { source: "/cfg/:id", headers: [{ key: "x-cfg", value: "item-:id" }] },
      { source: "/api/px/headers", headers: [{ key: "x-proxy-res", value: "from-config" }] },
      { source: "/api/m/:path*", headers: [{ key: "x-m", value: "m-:path*" }] },
      {
        source: "/cfg-q/:id",
        has: [{ type: "query", key: "h" }],
        headers: [{ key: "x-has-h", value: "1" }],
      },
    ];
  },
  async redirects() {
    return [
      { source: "/cfg-old", destination: "/api/hello", permanent: false },
      { source: "/cfg-perm/:id", destination: "/api/items/:id?x=1", permanent: true },
      {
        source: "/cfg-has",
        has: [{ type: "query", key: "go", value: "(?<v>yes|ok)" }],
        destination: "/api/hello?v=:v",
        permanent: false,
      },
      { source: "/cfg-code", destination: "https://example.com/:path*", statusCode: 301 },
      { source: "/cfg-splat/:path*", destination: "/api/docs/:path*", permanent: false },
    ];
  },
  async rewrites() {
    return {
      beforeFiles: [{ source: "/cfg-bf/:id", destination: "/api/items/:id" }],
      afterFiles: [
        { source: "/cfg/:id", destination: "/api/items/:id" },
        { source: "/cfg-q/:id", destination: "/api/url/:id?fixed=1" },
        { source: "/cfg-miss", missing: [{ type: "header", key: "x-no" }], destination: "/api/url/miss" },
      ],
      fallback: [{ source: "/cfg-fb/:path*", destination: "/api/hello" }],
    };
  },
};
