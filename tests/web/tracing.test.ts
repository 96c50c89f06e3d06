// OpenTelemetry spans as next start emits them for route handlers, when the project registers a
// tracer provider (here: the SDK's BasicTracerProvider with an in-memory exporter, registered
// globally before the app is created, as instrumentation.ts or a preloaded module would).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { type FixtureServer, startFixture } from "../helpers/fixture.ts";
import { until } from "../helpers/project.ts";

describe("OpenTelemetry spans (a tracer provider is registered)", () => {
  const exporter = new InMemorySpanExporter();
  let server: FixtureServer;
  before(async () => {
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    server = await startFixture("tracing");
  });
  after(async () => {
    await server?.close();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  const spans = () => exporter.getFinishedSpans();
  const byName = (name: string): ReadableSpan | undefined => spans().find((s) => s.name === name);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  test("a request: a server span named after the route, the handler's span under it, library spans under that", async () => {
    exporter.reset();
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const res = await fetch(`${server.url}/api/users/7?x=1`, {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    assert.deepEqual(await res.json(), { id: "7" });
    await until(async () => byName("GET /api/users/[id]") !== undefined, "the server span to end");
    const request = byName("GET /api/users/[id]")!;
    const handler = byName("executing api route (app) /api/users/[id]")!;
    const query = byName("select user")!;
    assert.ok(handler && query, `spans: ${spans().map((s) => s.name)}`);
    assert.equal(request.kind, SpanKind.SERVER);
    assert.equal(request.spanContext().traceId, traceId, "continues the incoming trace");
    assert.equal(parentOf(request), "b7ad6b7169203331");
    assert.equal(parentOf(handler), request.spanContext().spanId);
    assert.equal(parentOf(query), handler.spanContext().spanId);
    assert.equal(query.spanContext().traceId, traceId);
    assert.deepEqual(
      {
        method: request.attributes["http.method"],
        target: request.attributes["http.target"],
        route: request.attributes["http.route"],
        nextRoute: request.attributes["next.route"],
        status: request.attributes["http.status_code"],
        type: request.attributes["next.span_type"],
      },
      {
        method: "GET",
        target: "/api/users/7?x=1",
        route: "/api/users/[id]",
        nextRoute: "/api/users/[id]",
        status: 200,
        type: "BaseServer.handleRequest",
      },
    );
    assert.equal(handler.attributes["next.span_type"], "AppRouteRouteHandlers.runHandler");
  });

  test("a failing handler: the request span has error status and the 500", async () => {
    exporter.reset();
    assert.equal((await fetch(`${server.url}/api/fail`)).status, 500);
    await until(async () => byName("GET /api/fail") !== undefined, "the server span to end");
    const request = byName("GET /api/fail")!;
    assert.equal(request.status.code, SpanStatusCode.ERROR);
    assert.equal(request.attributes["http.status_code"], 500);
    assert.equal(request.attributes["error.type"], "500");
  });

  test("a path no route serves: a span named after the method only", async () => {
    exporter.reset();
    assert.equal((await fetch(`${server.url}/nope`)).status, 404);
    await until(async () => spans().some((s) => s.kind === SpanKind.SERVER), "the server span to end");
    const request = spans().find((s) => s.kind === SpanKind.SERVER)!;
    assert.equal(request.name, "GET");
    assert.equal(request.attributes["http.status_code"], 404);
  });
});
