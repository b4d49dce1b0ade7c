import { HttpModule } from '@nestjs/axios';
import { type DynamicModule, Global, Module, RequestMethod } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AccessGuard } from './auth/access.guard.js';
import { AUTH_OPTIONS, authOptionsFrom } from './auth/auth.options.js';
import { AuthService } from './auth/auth.service.js';
import type { BaseEnv } from './config/base-env.js';
import { ChaosController } from './chaos/chaos.controller.js';
import { CHAOS_OPTIONS, ChaosService } from './chaos/chaos.service.js';
import { RESILIENCE_OPTIONS, resilienceOptionsFrom } from './clients/resilience.js';
import { ServiceClients } from './clients/service-clients.js';
import { HealthController } from './health/health.controller.js';
import { ReadinessRegistry } from './health/readiness.registry.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { StorageFaults } from './storage/storage-faults.js';
import { StatusController } from './status/status.controller.js';
import { ServiceIdentity } from './status/service-identity.js';

const QUIET = /^\/(health\/|metrics|status$)/;

@Global()
@Module({})
export class PlatformModule {
  static forRoot(identity: ServiceIdentity, env: BaseEnv): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...env })] }),
        HttpModule.register({ timeout: env.HTTP_TIMEOUT_MS, maxRedirects: 0, maxContentLength: 64 * 1024 * 1024 }),
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: env.LOG_LEVEL,
            base: { service: identity.id, version: identity.version },
            autoLogging: { ignore: (req: IncomingMessage) => QUIET.test(req.url ?? '') },
            quietReqLogger: true,
            serializers: {
              req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
      controllers: [StatusController, HealthController, MetricsController, ChaosController],
      providers: [
        { provide: ServiceIdentity, useValue: identity },
        ReadinessRegistry,
        MetricsService,
        ServiceClients,
        ChaosService,
        { provide: CHAOS_OPTIONS, useValue: { adminToken: env.CHAOS_ADMIN_TOKEN } },
        { provide: RESILIENCE_OPTIONS, useValue: resilienceOptionsFrom(env) },
        { provide: AUTH_OPTIONS, useValue: authOptionsFrom(env, identity.id) },
        AuthService,
        AccessGuard,
        StorageFaults,
      ],
      exports: [
        ServiceIdentity,
        ReadinessRegistry,
        MetricsService,
        ServiceClients,
        ChaosService,
        AuthService,
        AccessGuard,
        StorageFaults,
      ],
    };
  }
}
