/**
 * Node defines `Request`, `Response` and `Headers` as lazy globals: the first read loads undici,
 * about 25 ms of start-up and several MB that an app whose routes never touch the Fetch classes
 * does not need (approute's own Response, lazy request and cookie jars stand in for them). The web
 * classes still have to sit on the real prototype chains (`instanceof Response` holds for a
 * NextResponse) and build a real instance now and then; `whenGlobal` gives them the class at the
 * moment it exists: at once where it already does (undici loaded, Bun, Deno, workerd), else on the
 * first read of the global by anyone — Node's own getter still produces the value, and the links
 * run before the reader sees it. The globals keep their values; nothing is replaced.
 * @module
 */

type Name = "Request" | "Response" | "Headers";
type Link = (value: any) => void;

const waiting = new Map<Name, Link[]>();

/** Runs `link` with the global class `name` as soon as it exists (see the module comment). */
export function whenGlobal(name: Name, link: Link): void {
  const links = waiting.get(name);
  if (links !== undefined) {
    links.push(link);
    return;
  }
  const desc = Object.getOwnPropertyDescriptor(globalThis, name);
  if (desc === undefined || desc.get === undefined || !desc.configurable) {
    link((globalThis as Record<string, unknown>)[name]);
    return;
  }
  const queue = [link];
  waiting.set(name, queue);
  const lazyGet = desc.get;
  const settle = (value: unknown) => {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      enumerable: desc.enumerable,
      writable: true,
      value,
    });
  };
  const load = (): unknown => {
    // Node's getter loads undici and turns the property into a plain value.
    const value = lazyGet.call(globalThis);
    if (Object.getOwnPropertyDescriptor(globalThis, name)?.get === load) settle(value);
    waiting.delete(name);
    for (const run of queue) run(value);
    return value;
  };
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable: desc.enumerable,
    get: load,
    set(value: unknown) {
      if (waiting.has(name)) load(); // the links get the original class, as they would have at start
      settle(value);
    },
  });
}

/** The global class `name` as it was first loaded (loading it now if nobody has yet). */
export function fetchClass<T extends Name>(name: T): (typeof globalThis)[T] {
  const known = loaded[name];
  if (known !== undefined) return known as (typeof globalThis)[T];
  void (globalThis as Record<string, unknown>)[name];
  return loaded[name] as (typeof globalThis)[T];
}

const loaded: Partial<Record<Name, unknown>> = {};
for (const name of ["Request", "Response", "Headers"] as const) {
  whenGlobal(name, (value) => {
    loaded[name] = value;
  });
}
