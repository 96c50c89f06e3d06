/**
 * `cacheLife` profiles (R101–R103): the built-in table, custom profiles from `next.config`
 * `cacheLife`, and validation of inline `{ stale, revalidate, expire }` objects.
 * @module
 */
import type { CacheLife } from "../context/cache-scope.js";
import { ApprouteError, ErrorCode } from "../core/errors.js";

/** "Never expires" as Next encodes it (R101); treated as infinite. */
export const NEVER = 0xfffffffe;

/** Built-in profiles, seconds (R101). */
export const BUILTIN_PROFILES: Readonly<Record<string, CacheLife>> = Object.freeze({
  default: { stale: 300, revalidate: 900, expire: NEVER },
  seconds: { stale: 30, revalidate: 1, expire: 60 },
  minutes: { stale: 300, revalidate: 60, expire: 3600 },
  hours: { stale: 300, revalidate: 3600, expire: 86400 },
  days: { stale: 300, revalidate: 86400, expire: 604800 },
  weeks: { stale: 300, revalidate: 604800, expire: 2592000 },
  max: { stale: 300, revalidate: 2592000, expire: 31536000 },
});

/** A partial profile as users write it. */
export interface CacheLifeInput {
  stale?: number;
  revalidate?: number;
  expire?: number;
}

export type CacheLifeProfiles = Record<string, CacheLife>;

function profileError(message: string, hint: string): ApprouteError {
  return new ApprouteError(ErrorCode.INVALID_CONFIG, message, { hint });
}

function checkNumber(value: unknown, field: string, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (value === false)
    throw profileError(
      `${where}: Pass \`Infinity\` instead of \`false\` if you want to cache on the server forever without checking with the origin (${field}).`,
      `Use Infinity (or a number of seconds) for "${field}".`,
    );
  if (typeof value !== "number" || Number.isNaN(value) || value < 0)
    throw profileError(
      `${where}: "${field}" must be a number of seconds (>= 0), received ${JSON.stringify(value)}.`,
      `Set "${field}" to a number of seconds.`,
    );
  return value === Number.POSITIVE_INFINITY ? NEVER : value;
}

/**
 * Validates a `{ stale, revalidate, expire }` object (R102) and fills missing fields from `base`.
 * `where` names the call or config key in messages.
 */
export function validateLife(input: unknown, base: CacheLife, where: string): CacheLife {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw profileError(
      `${where}: expected a profile name or an object { stale, revalidate, expire }, received ${JSON.stringify(input)}.`,
      "Pass a profile name such as 'hours' or an object with numbers of seconds.",
    );
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== "stale" && key !== "revalidate" && key !== "expire")
      throw profileError(
        `${where}: unknown option "${key}"; a cache life has only stale, revalidate and expire.`,
        `Remove "${key}".`,
      );
  }
  const stale = checkNumber(record.stale, "stale", where);
  const revalidate = checkNumber(record.revalidate, "revalidate", where);
  const expire = checkNumber(record.expire, "expire", where);
  if (revalidate !== undefined && expire !== undefined && revalidate > expire)
    throw profileError(
      `${where}: If providing both the revalidate and expire options, the expire option must be greater than the revalidate option. The expire option indicates how many seconds from the start until it can no longer be used.`,
      "Make expire greater than or equal to revalidate.",
    );
  const life = {
    stale: stale ?? base.stale,
    revalidate: revalidate ?? base.revalidate,
    expire: expire ?? base.expire,
  };
  // A profile that only shortens revalidate keeps expire >= revalidate.
  if (life.expire < life.revalidate) life.expire = life.revalidate;
  return life;
}

/**
 * Built-in profiles merged with `next.config` `cacheLife` (R103), as Next 16 resolves them: the
 * built-in `default` takes its stale time from `experimental.staleTimes.static` and keeps its
 * "never" expire whatever `expireTime` says; a custom `default` has missing fields back-filled
 * (stale ← staleTimes.static, revalidate ← 900, expire ← `expireTime` ?? never) (R101, R154, R156).
 * Other custom profiles take missing fields from `default`.
 */
export function resolveProfiles(
  configured: unknown,
  expireTime?: unknown,
  staleTimesStatic?: unknown,
): CacheLifeProfiles {
  const profiles: CacheLifeProfiles = { ...BUILTIN_PROFILES };
  const stale = typeof staleTimesStatic === "number" && staleTimesStatic >= 0 ? staleTimesStatic : undefined;
  if (stale !== undefined) profiles.default = { ...BUILTIN_PROFILES.default!, stale };
  if (configured === undefined || configured === null) return profiles;
  if (typeof configured !== "object" || Array.isArray(configured))
    throw profileError(
      `Invalid next.config option "cacheLife": expected an object of profiles, received ${JSON.stringify(configured)}.`,
      "Write cacheLife: { name: { stale, revalidate, expire } }.",
    );
  const entries = Object.entries(configured as Record<string, unknown>);
  const custom = entries.find(([name]) => name === "default");
  if (custom) {
    const base = {
      ...profiles.default!,
      expire: typeof expireTime === "number" && expireTime > 0 ? expireTime : NEVER,
    };
    profiles.default = validateLife(custom[1], base, 'next.config cacheLife "default"');
  }
  for (const [name, value] of entries) {
    if (name === "default") continue;
    profiles[name] = validateLife(
      value,
      profiles[name] ?? profiles.default!,
      `next.config cacheLife "${name}"`,
    );
  }
  return profiles;
}

/** The smaller of two lifetimes, field by field (R102: the outer entry is bounded by inner ones). */
export function minLife(a: CacheLife | undefined, b: CacheLife): CacheLife {
  if (a === undefined) return { ...b };
  return {
    stale: Math.min(a.stale, b.stale),
    revalidate: Math.min(a.revalidate, b.revalidate),
    expire: Math.min(a.expire, b.expire),
  };
}
