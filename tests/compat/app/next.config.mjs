// next.config cases of the differential suite (spec §12). Sources are kept to /cfg* paths so the
// other cases are untouched.
export default {
  async headers() {
    return [
      { source: "/cfg/:id", headers: [{ key: "x-cfg", value: "item-:id" }] },
      { source: "/api/px/headers", headers: [{ key: "x-proxy-res", value: "from-config" }] },
    ];
  },
  async redirects() {
    return [
      { source: "/cfg-old", destination: "/api/hello", permanent: false },
      { source: "/cfg-perm/:id", destination: "/api/items/:id?x=1", permanent: true },
    ];
  },
  async rewrites() {
    return {
      beforeFiles: [{ source: "/cfg-bf/:id", destination: "/api/items/:id" }],
      afterFiles: [{ source: "/cfg/:id", destination: "/api/items/:id" }],
      fallback: [{ source: "/cfg-fb/:path*", destination: "/api/hello" }],
    };
  },
};
