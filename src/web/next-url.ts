/**
 * `NextURL`: a URL that knows the app's `basePath` (R43). `pathname` is the path inside the app,
 * `basePath` holds the prefix, and `href` puts them back together.
 * @module
 */

export interface NextURLOptions {
  base?: string | URL;
  nextConfig?: { basePath?: string; trailingSlash?: boolean; i18n?: unknown };
}

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/;

function parse(input: string | URL, base?: string | URL): URL {
  const url = new URL(String(input), base === undefined ? undefined : String(base));
  // Next reports every loopback host as `localhost`.
  if (LOOPBACK.test(url.hostname)) url.hostname = "localhost";
  return url;
}

/** URL with basePath awareness, as `request.nextUrl` in Next.js. */
export class NextURL {
  #url: URL;
  #options: NextURLOptions;
  #basePath = "";
  #trailingSlash = false;
  #buildId: string | undefined;
  #locale = "";

  constructor(input: string | URL, baseOrOptions?: string | URL | NextURLOptions, options?: NextURLOptions) {
    let base: string | URL | undefined;
    if (typeof baseOrOptions === "string" || baseOrOptions instanceof URL) {
      base = baseOrOptions;
      this.#options = options ?? {};
    } else {
      this.#options = baseOrOptions ?? options ?? {};
    }
    this.#url = parse(input, base ?? this.#options.base);
    this.#analyze();
  }

  #analyze(): void {
    const config = this.#options.nextConfig;
    const basePath = config?.basePath ?? "";
    let pathname = this.#url.pathname;
    this.#basePath = "";
    if (basePath && (pathname === basePath || pathname.startsWith(`${basePath}/`))) {
      pathname = pathname.slice(basePath.length) || "/";
      this.#basePath = basePath;
    }
    // As in Next: a non-root path keeps the slash it arrived with; the root follows the config.
    this.#trailingSlash = pathname !== "/" ? pathname.endsWith("/") : Boolean(config?.trailingSlash);
    this.#url.pathname = pathname;
  }

  #formatPathname(): string {
    let pathname = this.#url.pathname;
    if (!this.#trailingSlash && pathname.length > 1) pathname = pathname.replace(/\/+$/, "");
    if (this.#basePath) pathname = pathname === "/" ? this.#basePath : this.#basePath + pathname;
    if (this.#trailingSlash) return pathname.endsWith("/") ? pathname : `${pathname}/`;
    return pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  }

  get buildId(): string | undefined {
    return this.#buildId;
  }
  set buildId(value: string | undefined) {
    this.#buildId = value;
  }
  get locale(): string {
    return this.#locale;
  }
  set locale(value: string) {
    this.#locale = value;
  }
  get defaultLocale(): string | undefined {
    return undefined;
  }
  get domainLocale(): undefined {
    return undefined;
  }
  get searchParams(): URLSearchParams {
    return this.#url.searchParams;
  }
  get host(): string {
    return this.#url.host;
  }
  set host(value: string) {
    this.#url.host = value;
  }
  get hostname(): string {
    return this.#url.hostname;
  }
  set hostname(value: string) {
    this.#url.hostname = value;
  }
  get port(): string {
    return this.#url.port;
  }
  set port(value: string) {
    this.#url.port = value;
  }
  get protocol(): string {
    return this.#url.protocol;
  }
  set protocol(value: string) {
    this.#url.protocol = value;
  }
  get href(): string {
    return `${this.protocol}//${this.host}${this.#formatPathname()}${this.#url.search}${this.#url.hash}`;
  }
  set href(value: string) {
    this.#url = parse(value);
    this.#analyze();
  }
  get origin(): string {
    return this.#url.origin;
  }
  get pathname(): string {
    return this.#url.pathname;
  }
  set pathname(value: string) {
    this.#url.pathname = value;
  }
  get hash(): string {
    return this.#url.hash;
  }
  set hash(value: string) {
    this.#url.hash = value;
  }
  get search(): string {
    return this.#url.search;
  }
  set search(value: string) {
    this.#url.search = value;
  }
  get password(): string {
    return this.#url.password;
  }
  set password(value: string) {
    this.#url.password = value;
  }
  get username(): string {
    return this.#url.username;
  }
  set username(value: string) {
    this.#url.username = value;
  }
  get basePath(): string {
    return this.#basePath;
  }
  set basePath(value: string) {
    this.#basePath = value.startsWith("/") ? value : `/${value}`;
  }
  toString(): string {
    return this.href;
  }
  toJSON(): string {
    return this.href;
  }
  clone(): NextURL {
    return new NextURL(this.href, this.#options);
  }
  [Symbol.for("nodejs.util.inspect.custom")](): object {
    return {
      href: this.href,
      origin: this.origin,
      pathname: this.pathname,
      search: this.search,
      basePath: this.basePath,
    };
  }
}
// The published build is bundled, and a bundler gives a class that names itself in its own body an
// internal alias (`class _NextURL`); keep the name users see in logs and `constructor.name`.
Object.defineProperty(NextURL, "name", { value: "NextURL" });
