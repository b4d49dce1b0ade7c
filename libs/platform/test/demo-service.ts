import { Body, Controller, Get, HttpCode, Module, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { IsString } from 'class-validator';
import type { DatabaseSync } from 'node:sqlite';
import { CallerOnly, OperatorOnly, OperatorOrCaller } from '../src/auth/access.guard.js';
import { BaseEnv } from '../src/config/base-env.js';
import { openDatabase } from '../src/storage/sqlite.js';
import type { ServiceDefinition } from '../src/service-definition.js';

class ItemDto {
  @IsString()
  name!: string;
}

/** A tiny real service for the platform's integration tests: every platform feature, two routes. */
@Controller('items')
class ItemsController {
  @Get(':id')
  get(@Param('id') id: string) {
    return { id };
  }

  @Post()
  @HttpCode(201)
  create(@Body() item: ItemDto) {
    return { stored: item.name };
  }
}

/** Answers 429 with `Retry-After: 1` to the first call for a key, then 200: a polite overloaded server. */
@Controller('limited')
class LimitedController {
  private readonly seen = new Set<string>();

  @Get(':key')
  get(@Param('key') key: string, @Res({ passthrough: true }) reply: FastifyReply) {
    if (this.seen.has(key)) return { key };
    this.seen.add(key);
    void reply.status(429).header('retry-after', '1');
    return { detail: 'slow down' };
  }
}

/** Routes behind each kind of access rule; each write counts, so a test sees that a refused one stored nothing. */
@Controller('guarded')
class GuardedController {
  static writes = 0;

  @Post('operator')
  @OperatorOnly()
  @HttpCode(200)
  operator() {
    return { writes: ++GuardedController.writes };
  }

  @Post('collector')
  @CallerOnly('collector')
  @HttpCode(200)
  collector() {
    return { writes: ++GuardedController.writes };
  }

  @Post('either')
  @OperatorOrCaller('cpanel')
  @HttpCode(200)
  either() {
    return { writes: ++GuardedController.writes };
  }

  @Get('count')
  count() {
    return { writes: GuardedController.writes };
  }
}

/** A real SQLite store (in memory) behind POST /notes; tests break it with PRAGMAs to see storage faults. */
export const demoStore: { db?: DatabaseSync } = {};
@Controller('notes')
class NotesController {
  private get db(): DatabaseSync {
    if (!demoStore.db) {
      demoStore.db = openDatabase(':memory:');
      demoStore.db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
    }
    return demoStore.db;
  }

  @Post()
  @HttpCode(201)
  create(@Body() item: ItemDto) {
    this.db.prepare('INSERT INTO notes (text) VALUES (?)').run(item.name.repeat(64));
    return { notes: Number((this.db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n) };
  }
}

@Module({ controllers: [ItemsController, LimitedController, GuardedController, NotesController] })
class DemoModule {}

export const demoService: ServiceDefinition<BaseEnv> = {
  id: () => 'demo',
  displayName: () => 'Demo',
  description: 'Platform test service.',
  defaultPort: 0,
  envClass: BaseEnv,
  module: DemoModule,
};

/** The value of one Prometheus sample whose labels include `labels` (0 when absent). */
export async function metric(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export const TOKEN = 'test-admin-token-0123';
export const auth = { authorization: `Bearer ${TOKEN}` };

/** Sets a replica's faults through its chaos API. */
export async function setChaos(url: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/chaos`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`PUT /chaos: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

export async function chaosState(
  url: string,
): Promise<{ injected: { considered: number; errors: number; delays: number } } & Record<string, unknown>> {
  return (await (await fetch(`${url}/chaos`, { headers: auth })).json()) as never;
}
