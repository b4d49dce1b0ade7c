/**
 * OpenTelemetry, started before NestJS or anything it instruments is imported: an app's `main.ts`
 * awaits `startTelemetry()` first and only then imports its modules dynamically (ES module imports are
 * linked before any code runs, so a static import would be too late).
 *
 * Context propagation (W3C traceparent, and B3 which Envoy uses) is always on, so trace ids reach every
 * log line; spans are exported over OTLP/HTTP only when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set.
 *
 * What it costs at start-up, and why it is built this way (docs/performance.md, "Start-up"):
 * - Module hooks only for the modules the instrumentations patch. A catch-all ES-module loader hook
 *   (`module.register('@opentelemetry/instrumentation/hook.mjs')`) runs on its own thread and wraps
 *   every module the service loads: it made each service's start-up ~4× slower and added ~140 MiB.
 *   import-in-the-middle's synchronous in-thread hooks with an `include` list wrap only `pino` (the
 *   one instrumented package loaded as an ES-module dependency); `http` and `undici` are patched
 *   through their CommonJS exports and diagnostics channels, which need no loader hook.
 * - The trace SDK itself, not `@opentelemetry/sdk-node`, which loads every exporter it could be
 *   configured with (gRPC, protobuf, Zipkin, logs, metrics); the OTLP/HTTP exporter is loaded only
 *   when an endpoint is set.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { register as registerModuleHooks } from 'import-in-the-middle/register-hooks.mjs';

let provider: TracerProvider | undefined;
let started = false;

export interface TelemetryOptions {
  serviceName: string;
  env?: NodeJS.ProcessEnv;
}

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/** Packages the instrumentations patch that services import as ES modules (see the note above). */
const HOOKED_MODULES = ['pino'];

export function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

export async function startTelemetry({ serviceName, env = process.env }: TelemetryOptions): Promise<void> {
  if (started || env.OTEL_SDK_DISABLED === 'true') return;
  started = true;
  registerModuleHooks({ include: HOOKED_MODULES });

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [
        new W3CTraceContextPropagator(),
        new W3CBaggagePropagator(),
        new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
      ],
    }),
  );

  const url = tracesEndpoint(env);
  if (url) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceName }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), scheduledDelayMillis: 500 })],
    });
    trace.setGlobalTracerProvider(provider);
  }

  registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) }),
      new UndiciInstrumentation(),
      // Trace ids into every log line; the lines themselves stay on stdout (no OTLP log export).
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
}

/** Flushes spans still buffered; called last in graceful shutdown. */
export async function stopTelemetry(): Promise<void> {
  const current = provider;
  provider = undefined;
  await current?.shutdown().catch(() => undefined);
}
