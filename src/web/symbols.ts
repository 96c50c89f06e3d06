/**
 * Internal slots shared by the web classes and the adapters. Symbol keys keep them off the public
 * surface while still working on objects built with `Object.create` (private `#fields` would not).
 * @module
 */
export const kBody = Symbol.for("approute.body");
export const kInit = Symbol.for("approute.init");
export const kHeaders = Symbol.for("approute.headers");
export const kReal = Symbol.for("approute.real");
export const kStatus = Symbol.for("approute.status");
export const kSource = Symbol.for("approute.source");
export const kState = Symbol.for("approute.state");
export const kCookies = Symbol.for("approute.cookies");
export const kSetCookie = Symbol.for("approute.setCookie");
/** On a shared header record (see `shareHeaders`): a slot where a writer keeps what it derived. */
export const kWriterMemo = Symbol.for("approute.writerMemo");
