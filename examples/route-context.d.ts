// Until `approute typegen` writes this (issue #5): the global RouteContext type Next generates.
declare global {
  interface RouteContext<Route extends string> {
    params: Promise<Route extends "/users/[id]" ? { id: string } : Record<string, string | string[]>>;
  }
}

export {};
