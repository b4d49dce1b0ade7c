import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SECTION_ID_PATTERN } from '@airport-mesh/contracts';
import { ServiceClients, parseUrlMap } from '@airport-mesh/platform';
import {
  type Client,
  type CreateStatisticsDto,
  type StoreResultDto,
  createClient,
  storeStatistics,
} from '@airport-mesh/section-client';
import type { CollectorEnv } from '../collector.env.js';
import { describeHttpError, refusal } from './downstream.js';

export class UnknownSectionError extends Error {}

export class SectionUnavailableError extends Error {
  constructor(
    readonly section: string,
    readonly reason: string,
  ) {
    super(`section ${section} did not store the frame: ${reason}`);
  }
}

/** The section services, one generated client per section. */
@Injectable()
export class SectionAdapter {
  private readonly clients = new Map<string, Client>();

  constructor(config: ConfigService<CollectorEnv, true>, clients: ServiceClients) {
    for (const [id, url] of parseUrlMap(
      config.get('SECTION_URLS', { infer: true }),
      'SECTION_URLS',
      SECTION_ID_PATTERN,
    )) {
      // POST /statistics is idempotent by frame id: safe to retry.
      this.clients.set(id, clients.create(createClient, url, { idempotent: true, target: `section-${id}` }));
    }
  }

  get sections(): string[] {
    return [...this.clients.keys()];
  }

  async store(section: string, record: CreateStatisticsDto): Promise<StoreResultDto> {
    const client = this.clients.get(section);
    if (!client) throw new UnknownSectionError(`no section ${section}; known: ${this.sections.join(', ')}`);
    try {
      const { data } = await storeStatistics({ client, body: record, throwOnError: true });
      return data;
    } catch (error) {
      throw refusal(`section ${section}`, error) ?? new SectionUnavailableError(section, describeHttpError(error));
    }
  }
}
