import {
  Controller,
  Get,
  Header,
  type MessageEvent,
  NotFoundException,
  Param,
  Res,
  ServiceUnavailableException,
  Sse,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { CPanelEnv } from '../cpanel.env.js';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Observable, concat, defer, interval, map, merge, of, takeUntil } from 'rxjs';
import { packageRoot, problem, runsFromSource } from '@airport-mesh/platform';
import { DashboardEvents } from '../dashboard-events/dashboard-events.js';
import { DASHBOARD_CSS } from './dashboard.css.js';
import { DASHBOARD_CSP, renderDashboard } from './dashboard.page.js';
import { DashboardService } from './dashboard.service.js';

const KEEPALIVE_MS = 15_000;

/** The browser modules, read once from the app's src/dashboard (tests) or dist/dashboard (built; also bundled). */
const SCRIPTS_DIR = join(packageRoot(import.meta.url), runsFromSource(import.meta.url) ? 'src' : 'dist', 'dashboard');
const SCRIPTS: Record<string, () => string> = Object.fromEntries(
  ['dashboard.js', 'render.js', 'login.js'].map((name) => {
    let text: string | undefined;
    return [name, () => (text ??= readFileSync(join(SCRIPTS_DIR, name), 'utf8'))];
  }),
);

@ApiTags('dashboard')
@Controller()
export class DashboardController {
  constructor(
    private readonly dashboard: DashboardService,
    private readonly events: DashboardEvents,
    config: ConfigService<CPanelEnv, true>,
  ) {
    this.maxStreams = config.get('SSE_MAX_CONNECTIONS', { infer: true });
  }

  private readonly maxStreams: number;

  /** The dashboard (seed 000: `GET /`, `GET /index`): v1 statistics and the latest alert; v2 also photos and charts. */
  @Get()
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The dashboard page', schema: { type: 'string' } })
  async getDashboard(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return this.page(reply);
  }

  /** The same dashboard (seed 000's second path). */
  @Get('index')
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The dashboard page', schema: { type: 'string' } })
  async getIndex(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return this.page(reply);
  }

  /**
   * Live updates of the dashboard (server-sent events): `snapshot` first (everything), then `analysis`,
   * `summary`, `alert`, `camera`, `cameras`, `health` as they happen, and `ping` every 15 s.
   */
  @Sse('events')
  @ApiProduces('text/event-stream')
  @ApiServiceUnavailableResponse({ description: 'Too many open dashboards (SSE_MAX_CONNECTIONS) (problem+json)' })
  streamEvents(): Observable<MessageEvent> {
    if (this.events.count >= this.maxStreams)
      throw new ServiceUnavailableException(
        problem(503, `too many open dashboards (${this.maxStreams}); try again later`),
      );
    const snapshot = defer(() => of<MessageEvent>({ type: 'snapshot', data: this.dashboard.snapshot() }));
    const live = this.events.stream().pipe(map((e): MessageEvent => ({ type: e.type, data: e.data as object })));
    const keepalive = interval(KEEPALIVE_MS).pipe(map((): MessageEvent => ({ type: 'ping', data: { t: Date.now() } })));
    return concat(snapshot, merge(live, keepalive)).pipe(takeUntil(this.events.closing));
  }

  @Get('assets/dashboard.css')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('cache-control', 'no-cache')
  getStyles(): string {
    return DASHBOARD_CSS;
  }

  @Get('assets/:file')
  @ApiExcludeEndpoint()
  getScript(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    const script = Object.hasOwn(SCRIPTS, file) ? SCRIPTS[file] : undefined;
    if (!script) throw new NotFoundException(problem(404, `no asset ${file}`));
    void reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'no-cache');
    return script();
  }

  private async page(reply: FastifyReply): Promise<string> {
    await this.dashboard.prepare();
    void reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', DASHBOARD_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store');
    return renderDashboard(this.dashboard.snapshot());
  }
}
