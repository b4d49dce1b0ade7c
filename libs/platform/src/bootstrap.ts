import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BaseEnv } from './config/base-env.js';
import { InvalidEnvironmentError, validateEnv } from './config/validate-env.js';
import { limitInFlight } from './admission/in-flight.js';
import { ChaosService } from './chaos/chaos.service.js';
import { ReadinessRegistry } from './health/readiness.registry.js';
import { StorageFaults } from './storage/storage-faults.js';
import { MetricsService } from './metrics/metrics.service.js';
import { PlatformModule } from './platform.module.js';
import { PROBLEM_CONTENT_TYPE, problem } from './problem/problem.js';
import { ProblemFilter } from './problem/problem.filter.js';
import { createValidationPipe } from './problem/validation.pipe.js';
import type { ServiceDefinition } from './service-definition.js';
import { ServiceIdentity } from './status/service-identity.js';
import { stopTelemetry } from './telemetry.js';

function identityOf<E extends BaseEnv>(def: ServiceDefinition<E>, env: E): ServiceIdentity {
  return new ServiceIdentity(def.id(env), def.displayName(env), env.VERSION);
}

/** Validates the environment or stops the process with a message that names every bad variable. */
export function loadEnv<E extends BaseEnv>(def: ServiceDefinition<E>, raw: NodeJS.ProcessEnv = process.env): E {
  try {
    return validateEnv(def.envClass, raw);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      process.stderr.write(`${def.description.split('.')[0]}: refusing to start, ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

function rootModule<E extends BaseEnv>(def: ServiceDefinition<E>, env: E) {
  @Module({ imports: [PlatformModule.forRoot(identityOf(def, env), env), def.module] })
  class ServiceRootModule {}
  return ServiceRootModule;
}

/** Creates the Nest application with everything every service shares, without listening. */
export async function createService<E extends BaseEnv>(
  def: ServiceDefinition<E>,
  env: E,
  options: { preview?: boolean } = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: env.BODY_LIMIT_BYTES,
    return503OnClosing: true,
    logger: false,
    // Long path parameters reach the route and its validation (a 4xx problem body) instead of the
    // router's own bare 414; the URL as a whole is still bounded by Node's header size limit.
    maxParamLength: 8192,
    // The whole request (headers and body) within REQUEST_TIMEOUT_MS, checked every second: a slow-body
    // client is cut off (408) within seconds and never holds a socket or the shutdown.
    requestTimeout: env.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: env.KEEP_ALIVE_TIMEOUT_MS,
    http: { headersTimeout: env.REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 1000 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule(def, env), adapter, {
    bufferLogs: true,
    preview: options.preview ?? false,
    abortOnError: false,
    logger: options.preview ? false : undefined,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Only JSON (and what an app lists as raw) is accepted; anything else is 415, not a string body.
  fastify.removeContentTypeParser('text/plain');
  if (def.rawBodyContentTypes?.length) {
    fastify.addContentTypeParser(def.rawBodyContentTypes, { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
  }
  // Errors Fastify answers itself, before any route (a path parameter too long: 414, …), become
  // problem bodies too, like every other 4xx.
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode < 400 || !String(reply.getHeader('content-type') ?? '').startsWith('application/json'))
      return payload;
    if (typeof payload !== 'string' || !payload.startsWith('{"statusCode"')) return payload;
    try {
      const error = JSON.parse(payload) as { statusCode?: number; code?: string; message?: string };
      if (error.statusCode !== reply.statusCode) return payload;
      void reply.header('content-type', PROBLEM_CONTENT_TYPE);
      return JSON.stringify(
        problem(reply.statusCode, error.message ?? 'Bad request', {
          instance: request.url.slice(0, 512),
          type: error.code ? `urn:fastify:${error.code}` : 'about:blank',
        }),
      );
    } catch {
      return payload;
    }
  });
  app.useGlobalPipes(createValidationPipe());
  // Also reached by Fastify's own errors (bad JSON, body too large, unsupported media type): Nest routes
  // them through its exception layer.
  app.useGlobalFilters(new ProblemFilter(options.preview ? undefined : app.get(StorageFaults)));
  if (!options.preview) {
    app.useLogger(app.get(Logger));
    const metrics = app.get(MetricsService);
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.observe(
        request.method,
        request.routeOptions?.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });
    // Admission control at the door (before body parsing), where the service asks for it
    limitInFlight(fastify, def.admission?.(env) ?? [], metrics);
    // The chaos API's faults (docs/resilience.md): after routing and body parsing, before the handler.
    fastify.addHook('preHandler', app.get(ChaosService).hook);
  }
  const document = buildOpenApi(app, def, env);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
  return app;
}

export function buildOpenApi<E extends BaseEnv>(
  app: INestApplication,
  def: ServiceDefinition<E>,
  env: E,
): OpenAPIObject {
  const identity = identityOf(def, env);
  const config = new DocumentBuilder()
    .setTitle(`${identity.displayName} API`)
    .setDescription(def.description)
    .setVersion(env.VERSION)
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, config, { operationIdFactory: (_controller, method) => method });
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Writes the OpenAPI document without opening a port or touching a store (Nest preview mode: no
 * provider is instantiated). Defaults of the env class are used, not the machine's environment, so the
 * output is the same everywhere; keys are sorted so it is byte-for-byte deterministic.
 */
export async function writeOpenApi<E extends BaseEnv>(def: ServiceDefinition<E>, file: string): Promise<void> {
  const env = validateEnv(def.envClass, {});
  const app = await createService(def, env, { preview: true });
  const document = buildOpenApi(app, def, env);
  writeFileSync(file, JSON.stringify(sortKeys(document), null, 2) + '\n');
  await app.close();
}

/**
 * Boots a service: validated env, listen, and graceful shutdown on SIGTERM/SIGINT — readiness fails
 * first, then after SHUTDOWN_DELAY_MS the server stops accepting, in-flight requests finish, telemetry
 * is flushed, and the process exits.
 */
export async function runService<E extends BaseEnv>(def: ServiceDefinition<E>): Promise<NestFastifyApplication> {
  const env = loadEnv(def);
  const app = await createService(def, env);
  const port = env.PORT ?? def.defaultPort;
  await app.listen({ port, host: env.HOST });
  const identity = app.get(ServiceIdentity);
  app.get(Logger).log(`${identity.statusLine} on http://${env.HOST}:${port} (Swagger UI: /docs)`, 'Bootstrap');
  let stopping = false;
  const shutdown = async (signal: string) => {
    const logger = app.get(Logger);
    if (stopping) {
      // A second signal (a impatient Ctrl-C, a repeated SIGTERM) does not cut the drain short.
      logger.warn(`${signal} again: still draining (ends by the hard deadline at the latest)`, 'Shutdown');
      return;
    }
    stopping = true;
    // A drain that hangs (a stuck request, a store that does not close) still ends.
    const hard = setTimeout(() => {
      logger.error(`drain not finished ${env.SHUTDOWN_DEADLINE_MS} ms after the delay: exiting`, 'Shutdown');
      process.exit(1);
    }, env.SHUTDOWN_DELAY_MS + env.SHUTDOWN_DEADLINE_MS);
    hard.unref();
    app.get(ReadinessRegistry).beginShutdown();
    logger.log(`${signal}: readiness failing, draining in ${env.SHUTDOWN_DELAY_MS} ms`, 'Shutdown');
    await sleep(env.SHUTDOWN_DELAY_MS);
    // Requests still open after REQUEST_TIMEOUT_MS of draining are cut (their clients had that long).
    const server = app.getHttpServer() as import('node:http').Server;
    const cut = setTimeout(() => server.closeAllConnections(), env.REQUEST_TIMEOUT_MS);
    cut.unref();
    await app.close();
    clearTimeout(cut);
    await stopTelemetry();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return app;
}
