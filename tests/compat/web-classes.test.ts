// NextRequest / NextResponse / cookies / userAgent compared in-process with the real Next 16 classes
// (the `next` devDependency): each scenario runs against both modules and the observable results —
// status, headers, Set-Cookie strings, cookie objects, URLs, thrown error types and messages — must be
// identical (R42–R59, R118). Clock-dependent values (maxAge → Expires) are not used here.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as ours from "approute/server";
import * as real from "next/server";

type Server = typeof ours;

function outcome(run: () => unknown): unknown {
  try {
    return { value: run() };
  } catch (error) {
    return { threw: (error as Error).constructor.name, message: (error as Error).message };
  }
}

const headersOf = (h: Headers) => [...h];

const scenarios: Record<string, (s: Server) => unknown> = {
  "NextResponse.json status/headers/body type": (s) => {
    const r = s.NextResponse.json({ a: 1 }, { status: 201, headers: { "x-a": "b" } });
    return { status: r.status, headers: headersOf(r.headers), isResponse: r instanceof Response };
  },
  "NextResponse.json(null) headers": (s) => headersOf(s.NextResponse.json(null).headers),
  "NextResponse.redirect default 307": (s) => {
    const r = s.NextResponse.redirect("http://example.com/x");
    return { status: r.status, headers: headersOf(r.headers), body: r.body };
  },
  "NextResponse.redirect(URL, 301)": (s) => {
    const r = s.NextResponse.redirect(new URL("https://example.com/a b?c=d"), 301);
    return { status: r.status, headers: headersOf(r.headers) };
  },
  "NextResponse.redirect with init object": (s) => {
    const r = s.NextResponse.redirect("http://example.com/", { status: 303, headers: { "x-k": "v" } });
    return { status: r.status, headers: headersOf(r.headers) };
  },
  "NextResponse.redirect invalid status": (s) => s.NextResponse.redirect("http://example.com/", 200),
  "NextResponse.redirect relative URL": (s) => s.NextResponse.redirect("/x"),
  "NextResponse.rewrite headers": (s) => headersOf(s.NextResponse.rewrite("http://localhost/x?y#h").headers),
  "NextResponse.rewrite relative URL": (s) => s.NextResponse.rewrite("/relative"),
  "NextResponse.next with request headers": (s) =>
    headersOf(
      s.NextResponse.next({ request: { headers: new Headers({ a: "1", B: "2" }) }, headers: { "x-r": "1" } })
        .headers,
    ),
  "NextResponse.next with plain-object request headers": (s) =>
    s.NextResponse.next({ request: { headers: { a: "1" } as unknown as Headers } }),
  "response cookies: all options": (s) => {
    const r = new s.NextResponse("x");
    r.cookies.set("a", "1").set({
      name: "b",
      value: "x y;z",
      httpOnly: true,
      path: "/p",
      sameSite: "lax",
      secure: true,
      domain: "example.com",
      partitioned: true,
      priority: "medium",
      expires: new Date(Date.UTC(2030, 0, 1)),
    });
    r.cookies.set("c", "v", { expires: Date.UTC(2031, 1, 1), sameSite: "none" });
    r.cookies.set("a", "2");
    r.cookies.delete("gone");
    r.cookies.delete({ name: "gone2", path: "/q", domain: "d.example" });
    return {
      setCookie: r.headers.getSetCookie(),
      get: r.cookies.get("b"),
      getAll: r.cookies.getAll(),
      getAllA: r.cookies.getAll("a"),
      has: [r.cookies.has("a"), r.cookies.has("nope")],
      string: r.cookies.toString(),
    };
  },
  "response cookies parse existing Set-Cookie headers": (s) => {
    const r = new s.NextResponse(null, {
      headers: [
        ["set-cookie", "x=1; Path=/; HttpOnly"],
        ["set-cookie", "y=2; Max-Age=0; SameSite=Strict"],
      ],
    });
    const before = r.cookies.getAll();
    r.cookies.set("z", "3");
    return { before, after: r.headers.getSetCookie() };
  },
  "request cookies parsing and mutation": (s) => {
    const req = new s.NextRequest("http://localhost/x", {
      headers: { cookie: "flag; x=%20; bad=%E0%A4%A; a=1; a=2; sp=a b" },
    });
    const before = { all: req.cookies.getAll(), size: req.cookies.size, flag: req.cookies.get("flag") };
    req.cookies.set("n", "v w");
    const deleted = req.cookies.delete(["a", "missing"]);
    return { before, deleted, cookie: req.headers.get("cookie"), string: req.cookies.toString() };
  },
  "NextRequest nextUrl with basePath": (s) => {
    const req = new s.NextRequest("http://localhost:3000/docs/api/x?y=1#h", {
      nextConfig: { basePath: "/docs" },
    });
    const u = req.nextUrl;
    const clone = u.clone();
    clone.pathname = "/other";
    return {
      url: req.url,
      pathname: u.pathname,
      basePath: u.basePath,
      href: u.href,
      search: u.search,
      sp: [...u.searchParams],
      origin: u.origin,
      cloneHref: clone.href,
      originalHref: u.href,
      json: JSON.stringify({ u }),
    };
  },
  "NextRequest loopback host normalisation": (s) => new s.NextRequest("http://127.0.0.1:3000/a").nextUrl.href,
  "NextRequest relative URL": (s) => new s.NextRequest("/relative"),
  "NextRequest ip/geo removed": (s) => {
    const req = new s.NextRequest("http://localhost/") as unknown as Record<string, unknown>;
    return { ip: req.ip, geo: req.geo };
  },
  "NextRequest page removed": (s) =>
    (new s.NextRequest("http://localhost/") as unknown as { page: unknown }).page,
  "NextRequest ua removed": (s) => (new s.NextRequest("http://localhost/") as unknown as { ua: unknown }).ua,
  "NextRequest from a Request keeps method and headers": (s) => {
    const req = new s.NextRequest(new Request("http://localhost/p", { method: "POST", headers: { a: "1" } }));
    return { method: req.method, headers: headersOf(req.headers), url: req.url };
  },
  "userAgentFromString: Chrome on macOS": (s) =>
    s.userAgentFromString(
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    ),
  "userAgentFromString: iPhone Safari": (s) =>
    s.userAgentFromString(
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    ),
  "userAgentFromString: bots": (s) =>
    ["Googlebot/2.1", "GPTBot/1.0", "facebookexternalhit/1.1", "curl/8.0"].map(
      (ua) => s.userAgentFromString(ua).isBot,
    ),
  "userAgent(request) without a header": (s) => s.userAgent({ headers: new Headers() }).isBot,
};

describe("web classes behave like Next 16's own", () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    test(name, () => {
      const expected = outcome(() => scenario(real as unknown as Server));
      const actual = outcome(() => scenario(ours));
      assert.deepEqual(actual, expected);
    });
  }

  test("the export lists cover Next's (R118)", () => {
    for (const name of Object.keys(real)) {
      if (name !== "default") assert.ok(name in ours, `approute/server lacks ${name}`);
    }
    assert.ok("NextFetchEvent" in ours);
  });
});
