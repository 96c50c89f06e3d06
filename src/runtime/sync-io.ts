/**
 * Synchronous platform I/O during a `cacheComponents` prerender (R90): `Date.now()`, `Date()`,
 * `new Date()`, `Math.random()`, `crypto.randomUUID()`, `crypto.getRandomValues()` and node:crypto's
 * `randomUUID()` give a different answer on every request, so a GET that calls them outside a
 * `"use cache"` function cannot be prerendered — as in Next 16, the route becomes dynamic.
 *
 * The probes exist only while `approute build` prerenders (installed by {@link installSyncIOProbes},
 * removed afterwards); a running server never has them. Each probe reports to the request store's
 * `onSyncIO` when the call happens inside a prerender and outside a cache scope, then behaves as the
 * original. approute's own clocks captured the originals before installation, so they never report.
 * @module
 */
import nodeCrypto from "node:crypto";
import { syncBuiltinESMExports } from "node:module";
import { currentCacheScope } from "../context/cache-scope.js";
import { currentRequestStore } from "../context/request-store.js";

function report(expression: string): void {
  const store = currentRequestStore();
  if (store?.onSyncIO === undefined) return;
  if (currentCacheScope() !== undefined) return;
  store.onSyncIO(expression);
}

/**
 * Replaces the time and randomness sources with probes; returns the function that puts the
 * originals back. Not reentrant: one build prerenders at a time.
 */
export function installSyncIOProbes(): () => void {
  const restores: Array<() => void> = [];
  const patch = <T extends object, K extends keyof T>(owner: T, key: K, value: T[K]) => {
    const descriptor = Object.getOwnPropertyDescriptor(owner, key);
    if (descriptor === undefined || !descriptor.writable) return;
    Object.defineProperty(owner, key, { ...descriptor, value });
    restores.push(() => Object.defineProperty(owner, key, descriptor));
  };

  const OriginalDate = Date;
  const originalNow = Date.now;
  const ProbedDate: DateConstructor = new Proxy(OriginalDate, {
    apply(target, self, args): string {
      report("`Date()`");
      return Reflect.apply(target, self, args);
    },
    construct(target, args, newTarget): object {
      if (args.length === 0) report("`new Date()`");
      return Reflect.construct(target, args, newTarget === ProbedDate ? target : newTarget);
    },
  });
  patch(globalThis, "Date", ProbedDate);
  patch(OriginalDate, "now", function now() {
    report("`Date.now()`");
    return originalNow.call(OriginalDate);
  } as typeof Date.now);

  const originalRandom = Math.random;
  patch(Math, "random", function random() {
    report("`Math.random()`");
    return originalRandom();
  });

  const webCrypto = globalThis.crypto;
  if (webCrypto !== undefined) {
    const proto = Object.getPrototypeOf(webCrypto) as Crypto;
    const originalUUID = proto.randomUUID;
    const originalValues = proto.getRandomValues;
    patch(proto, "randomUUID", function randomUUID(this: Crypto) {
      report("`crypto.randomUUID()`");
      return originalUUID.call(this);
    } as Crypto["randomUUID"]);
    patch(proto, "getRandomValues", function getRandomValues<T extends ArrayBufferView | null>(
      this: Crypto,
      array: T,
    ) {
      report("`crypto.getRandomValues()`");
      return originalValues.call(this, array as never) as T;
    } as Crypto["getRandomValues"]);
  }

  const originalNodeUUID = nodeCrypto.randomUUID;
  patch(nodeCrypto, "randomUUID", function randomUUID(options?: nodeCrypto.RandomUUIDOptions) {
    report("`require('node:crypto').randomUUID()`");
    return originalNodeUUID(options);
  });
  // `import { randomUUID } from "node:crypto"` bindings follow the module object only after this.
  syncBuiltinESMExports();

  return () => {
    for (const restore of restores.reverse()) restore();
    syncBuiltinESMExports();
  };
}
