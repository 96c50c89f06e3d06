/**
 * An incoming request seen at another URL: the handler of a proxy rewrite sees the rewrite's target
 * (R129), and a path with dot segments is seen resolved (R16). Everything but `url` is the source's.
 * @module
 */
import type { IncomingSource } from "../web/next-request.js";

/** The origin part of an absolute URL (`http://host:port`), without the path. */
export function originOf(url: string): string {
  const pathStart = url.indexOf("/", url.indexOf("//") + 2);
  return pathStart === -1 ? url : url.slice(0, pathStart);
}

/** `source` with `url` replaced by `origin` (default: that of source.url) + `pathAndSearch`. */
export function retarget(source: IncomingSource, pathAndSearch: string, origin?: string): IncomingSource {
  let url: string | undefined;
  const view: IncomingSource = {
    method: source.method,
    get url() {
      return (url ??= (origin ?? originOf(source.url)) + pathAndSearch);
    },
    headers: () => source.headers(),
    stream: () => source.stream(),
    bytes: () => source.bytes(),
    signal: () => source.signal(),
    afterResponse: (task) => source.afterResponse(task),
  };
  const header = source.header;
  if (header !== undefined) Object.assign(view, { header: (name: string) => header.call(source, name) });
  const forwarded = source.forwarded;
  if (forwarded !== undefined)
    Object.assign(view, { forwarded: (name: string) => forwarded.call(source, name) });
  const limitBody = source.limitBody;
  if (limitBody !== undefined)
    Object.assign(view, { limitBody: (limit: number) => limitBody.call(source, limit) });
  return view;
}

/** `source` with the scheme of `url` replaced: a proxy's header set changed X-Forwarded-Proto (R128). */
export function rescheme(source: IncomingSource, scheme: "http" | "https"): IncomingSource {
  const url = source.url;
  const origin = originOf(url);
  return retarget(source, url.slice(origin.length), scheme + origin.slice(origin.indexOf(":")));
}
