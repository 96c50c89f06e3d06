/**
 * `userAgent()` / `userAgentFromString()` from `next/server` (R118): the ua-parser-js result (the
 * same library and major version Next bundles) plus `isBot`.
 * @module
 */
import parseUserAgent from "#deps/ua-parser";

export interface UserAgent {
  isBot: boolean;
  ua: string;
  browser: { name?: string; version?: string; major?: string };
  device: { model?: string; type?: string; vendor?: string };
  engine: { name?: string; version?: string };
  os: { name?: string; version?: string };
  cpu: { architecture?: string };
}

// The crawler names Next.js recognises, matched case-insensitively anywhere in the string.
const BOT =
  /Googlebot|Mediapartners-Google|AdsBot-Google|googleweblight|Storebot-Google|Google-PageRenderer|Google-InspectionTool|Bingbot|BingPreview|Slurp|DuckDuckBot|baiduspider|yandex|sogou|LinkedInBot|bitlybot|tumblr|vkShare|quora link preview|facebookexternalhit|facebookcatalog|Twitterbot|applebot|redditbot|Slackbot|Discordbot|WhatsApp|SkypeUriPreview|ia_archiver|GPTBot/i;

/** True when `input` names a known crawler. */
export function isBot(input: string): boolean {
  return BOT.test(input);
}

/** Parses a `User-Agent` string. */
export function userAgentFromString(input: string | undefined): UserAgent {
  return { ...parseUserAgent(input), isBot: input === undefined ? false : isBot(input) };
}

/** Parses the request's `User-Agent` header. */
export function userAgent(request: { headers: Headers }): UserAgent {
  return userAgentFromString(request.headers.get("user-agent") || undefined);
}
