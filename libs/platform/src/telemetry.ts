/**
 * OpenTelemetry, started before NestJS or anything it instruments is imported: an app's `main.ts`
 * awaits `startTelemetry()` first and only then imports its modules dynamically (ES module imports are
 * linked before any code runs, so a static import would be too late).
 *
 * Context propagation (W3C traceparent, and B3 which Envoy uses) is always on, so trace ids reach every
 * log line; spans are exported over OTLP/HTTP only when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set.
 */
import { register } from 'node:module';
import { CompositePropagator, W3CTraceContextPropagator, W3CBaggagePropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

let sdk: NodeSDK | undefined;

export interface TelemetryOptions {
  serviceName: string;
  env?: NodeJS.ProcessEnv;
}

const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

export function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

export async function startTelemetry({ serviceName, env = process.env }: TelemetryOptions): Promise<void> {
  if (sdk || env.OTEL_SDK_DISABLED === 'true') return;
  // Lets the instrumentations see ES modules as well as CommonJS ones.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const url = tracesEndpoint(env);
  const spanProcessors: SpanProcessor[] = url
    ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), scheduledDelayMillis: 500 })]
    : [];
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? serviceName,
    spanProcessors,
    logRecordProcessors: [],
    // Metrics are Prometheus's (/metrics): no OTLP metric export, which would also hold up shutdown.
    metricReaders: [],
    textMapPropagator: new CompositePropagator({
      propagators: [
        new W3CTraceContextPropagator(),
        new W3CBaggagePropagator(),
        new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER }),
      ],
    }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) }),
      new UndiciInstrumentation(),
      // Trace ids into every log line; the lines themselves stay on stdout (no OTLP log export).
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
}

/** Flushes spans still buffered; called last in graceful shutdown. */
export async function stopTelemetry(): Promise<void> {
  const current = sdk;
  sdk = undefined;
  await current?.shutdown().catch(() => undefined);
}
