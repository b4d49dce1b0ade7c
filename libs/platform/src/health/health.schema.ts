import type { ApiResponseSchemaHost } from '@nestjs/swagger';

type SchemaObject = ApiResponseSchemaHost['schema'];

/**
 * The OpenAPI schema of a health answer (Terminus's body: status, info, error, details), documented
 * here rather than by Terminus's own `@HealthCheck()` documentation: that one loads `@nestjs/swagger`
 * with a runtime `require`, which a bundled service resolves to a second copy of Nest, rxjs and Swagger
 * in node_modules (about a second of CPU at every start; docs/performance.md, "Start-up").
 */
const READY = { shutdown: { status: 'up' }, store: { status: 'up' } };
const NOT_READY = { shutdown: { status: 'down', message: 'shutting down' } };

const indicators = (example: object): SchemaObject => ({
  type: 'object',
  example,
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: {
      status: { type: 'string', enum: ['up', 'degraded', 'down'] },
      responseTime: { type: 'number', description: 'Time the health indicator took to respond, in ms' },
    },
    additionalProperties: true,
  },
});

export function healthSchema(status: 'ok' | 'error'): SchemaObject {
  return {
    type: 'object',
    properties: {
      status: {
        type: 'string',
        enum: status === 'error' ? ['error', 'shutting_down'] : ['ok', 'degraded'],
        example: status,
      },
      info: { ...indicators(status === 'error' ? {} : READY), nullable: true },
      error: { ...indicators(status === 'error' ? NOT_READY : {}), nullable: true },
      details: indicators(status === 'error' ? NOT_READY : READY),
    },
  };
}
