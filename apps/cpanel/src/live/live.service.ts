import {
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Counter } from 'prom-client';
import { ImageFormatError, MetricsService, ServiceIdentity, imageHeader, problem } from '@airport-mesh/platform';
import { getLatestAlert, type AlertDto as StoredAlert } from '@airport-mesh/alerts-client';
import { getSummary, listStatistics, type StatisticsRecordDto, type SummaryDto } from '@airport-mesh/section-client';
import type { CPanelEnv } from '../cpanel.env.js';
import { Upstreams, describeCallError } from '../upstream/upstreams.js';
import { DashboardEvents } from '../dashboard-events/dashboard-events.js';
import type {
  AlertAcceptedDto,
  AlertViewDto,
  AnalysisAcceptedDto,
  AnalysisViewDto,
  CreateAlertDto,
  CreateAnalysisDto,
} from './live.dto.js';
import type { AgePoint, LiveSnapshot, OccupancyPoint, SectionView, SummaryView } from './views.js';

const MAX_OCCUPANCY_POINTS = 360;
const MAX_AGE_POINTS = 400;
const BACKFILL_RECORDS = 300;
const SUMMARY_MIN_INTERVAL_MS = 1000;
/** A section not read at start (down, or slower than the deadline) is tried again after 1, 2, 4, 8 s. */
const START_RETRIES = 4;
const START_RETRY_MS = 1000;
/**
 * Sections shown at most: the configured ones count, and pushes may add others up to this. Each holds
 * one photo (at most a frame image, 6 MiB) and bounded histories, so the whole view is bounded.
 */
export const MAX_SECTIONS = 16;

interface Photo {
  jpeg: Buffer;
  view: NonNullable<SectionView['photo']>;
}

interface SectionState {
  id: string;
  analysis: AnalysisViewDto | null;
  photo: Photo | null;
  summary: SummaryView | null;
  summaryError: string | null;
  occupancy: OccupancyPoint[];
  ages: AgePoint[];
  /** Frames whose ages are in `ages` (insertion-ordered, bounded). */
  aged: Set<string>;
  backfilled: boolean;
  lastSummaryAt: number;
  summaryTimer?: NodeJS.Timeout;
}

const newer = (a: { timestamp: string }, b: { timestamp: string } | null) =>
  !b || Date.parse(a.timestamp) > Date.parse(b.timestamp);
const sameOrNewer = (a: { timestamp: string }, b: { timestamp: string } | null) =>
  !b || Date.parse(a.timestamp) >= Date.parse(b.timestamp);

/**
 * The dashboard's view of the airport: the latest analysis of each section, the latest alert, the
 * section totals and (v2) the latest photo and the history behind the charts. It lives in memory (the
 * durable data is in the section and alerts services) and is filled two ways: pushes from the collector,
 * and reads through those services at start and every REFRESH_INTERVAL_MS, so a restarted cpanel, or
 * the one of two replicas that the collector's push did not reach, shows the same airport.
 */
@Injectable()
export class LiveService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveService.name);
  private readonly sections = new Map<string, SectionState>();
  private alert: AlertViewDto | null = null;
  private readonly v2: boolean;
  private readonly refreshMs: number;
  private timer?: NodeJS.Timeout;
  private firstRefresh?: Promise<void>;
  private stopped = false;
  private refreshing?: Promise<void>;
  private readonly received: Counter<'kind' | 'outcome'>;

  constructor(
    private readonly upstreams: Upstreams,
    private readonly events: DashboardEvents,
    identity: ServiceIdentity,
    config: ConfigService<CPanelEnv, true>,
    metrics: MetricsService,
  ) {
    this.v2 = identity.version !== 'v1';
    this.refreshMs = config.get('REFRESH_INTERVAL_MS', { infer: true });
    for (const id of upstreams.sections.keys()) this.section(id);
    this.received = metrics.counter(
      'cpanel_pushes_total',
      'Analyses and alerts pushed to cpanel, by kind and outcome (latest, late)',
      ['kind', 'outcome'],
    );
  }

  onApplicationBootstrap(): void {
    this.firstRefresh = this.startReadThrough();
    if (this.refreshMs > 0) {
      this.timer = setInterval(() => void this.refresh(), this.refreshMs);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const s of this.sections.values()) clearTimeout(s.summaryTimer);
  }

  /** Waits (at most `ms`) for the first read-through, so a page served right after a restart is not empty. */
  async settled(ms: number): Promise<void> {
    if (!this.firstRefresh) return;
    await Promise.race([this.firstRefresh, new Promise((r) => setTimeout(r, ms).unref())]);
  }

  // ---- pushes (the collector)

  acceptAnalysis(body: CreateAnalysisDto): AnalysisAcceptedDto {
    let photo: Photo | null = null;
    if (body.image !== undefined) {
      const jpeg = Buffer.from(body.image, 'base64');
      let size: { width: number; height: number };
      try {
        if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8)
          throw new ImageFormatError(422, 'image is not a JPEG (no SOI marker)');
        size = imageHeader(jpeg);
      } catch (error) {
        if (error instanceof ImageFormatError) throw new UnprocessableEntityException(problem(422, error.message));
        throw error;
      }
      if (this.v2) {
        photo = {
          jpeg,
          view: {
            url: `/analysis/${encodeURIComponent(body.section)}/photo?frame=${encodeURIComponent(body.frameId)}`,
            ...size,
            frameId: body.frameId,
            cameraId: body.cameraId,
            event: body.event,
            timestamp: body.timestamp,
            faces: body.faces,
            matches: body.matches,
          },
        };
      }
    }
    const state = this.section(body.section);
    if (!state)
      throw new UnprocessableEntityException(
        problem(422, `section ${body.section} is not shown: this panel shows at most ${MAX_SECTIONS} sections`),
      );
    const view: AnalysisViewDto = {
      frameId: body.frameId,
      cameraId: body.cameraId,
      section: body.section,
      event: body.event,
      timestamp: body.timestamp,
      personCount: body.personCount ?? null,
      faces: body.faces,
      matches: body.matches,
      receivedAt: new Date().toISOString(),
      source: 'collector',
      photo: photo ? { url: photo.view.url, width: photo.view.width, height: photo.view.height } : null,
    };
    const agePoints = this.recordAges(state, view);
    const latest = sameOrNewer(view, state.analysis);
    if (latest) {
      state.analysis = view;
      if (photo) state.photo = photo;
    }
    this.received.inc({ kind: 'analysis', outcome: latest ? 'latest' : 'late' });
    if (latest || agePoints.length) {
      this.events.emit({
        type: 'analysis',
        data: {
          section: body.section,
          analysis: latest ? view : null,
          photo: latest ? (photo?.view ?? null) : null,
          agePoints,
        },
      });
    }
    this.scheduleSummary(state);
    return { frameId: body.frameId, section: body.section, latest };
  }

  acceptAlert(body: CreateAlertDto): AlertAcceptedDto {
    const view: AlertViewDto = { ...body, receivedAt: new Date().toISOString(), source: 'collector' };
    const latest = sameOrNewer(view, this.alert);
    if (latest) {
      this.alert = view;
      this.events.emit({ type: 'alert', data: view });
    }
    this.received.inc({ kind: 'alert', outcome: latest ? 'latest' : 'late' });
    return { frameId: body.frameId, personId: body.personId, latest };
  }

  // ---- reads

  latestAnalyses(): AnalysisViewDto[] {
    return [...this.sections.values()]
      .flatMap((s) => (s.analysis ? [s.analysis] : []))
      .sort((a, b) => a.section.localeCompare(b.section, 'en', { numeric: true }));
  }

  latestAnalysis(section: string): AnalysisViewDto {
    const analysis = this.sections.get(section)?.analysis;
    if (!analysis) throw new NotFoundException(problem(404, `no analysis of section ${section} yet`));
    return analysis;
  }

  photo(section: string): Buffer {
    if (!this.v2) throw new NotFoundException(problem(404, 'photos are shown by cpanel v2 only'));
    const photo = this.sections.get(section)?.photo;
    if (!photo) throw new NotFoundException(problem(404, `no photo of section ${section} yet`));
    return photo.jpeg;
  }

  /** The latest alert; when none is known yet, read through from the alerts service first. */
  async latestAlert(): Promise<AlertViewDto> {
    if (!this.alert) await this.refreshAlert();
    if (!this.alert) throw new NotFoundException(problem(404, 'no alert yet'));
    return this.alert;
  }

  snapshot(): LiveSnapshot {
    return {
      sections: [...this.sections.values()]
        .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }))
        .map((s) => this.view(s)),
      alert: this.alert,
    };
  }

  /** Makes sure a section is shown (e.g. one named by the cameras file only). */
  ensureSection(id: string): void {
    this.section(id);
  }

  // ---- read-through

  /** Reads summaries, latest statistics and the latest alert through; never throws, one at a time. */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        await Promise.all([...[...this.sections.values()].map((s) => this.refreshSection(s)), this.refreshAlert()]);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /**
   * The read-through at start: sections that could not be read (down, or slower than the deadline on
   * a busy machine) are tried again a few times, also when the periodic refresh is off.
   */
  private async startReadThrough(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.refresh();
      const unread = [...this.sections.values()].some((s) => this.upstreams.sections.has(s.id) && !s.backfilled);
      if (!unread || attempt >= START_RETRIES || this.stopped) return;
      await new Promise((r) => setTimeout(r, START_RETRY_MS * 2 ** attempt).unref());
    }
  }

  private async refreshSection(state: SectionState): Promise<void> {
    const upstream = this.upstreams.sections.get(state.id);
    if (!upstream) return;
    const summary = await this.fetchSummary(state);
    if (!summary) return;
    try {
      const { data } = await listStatistics({
        client: upstream.client,
        query: { limit: state.backfilled ? 1 : BACKFILL_RECORDS, offset: 0 },
        throwOnError: true,
        ...this.upstreams.callOptions,
      });
      if (!state.backfilled) {
        state.backfilled = true;
        this.backfill(state, summary, data.items);
      }
      const newest = data.items[0];
      if (newest) this.readThroughRecord(state, newest);
    } catch (error) {
      this.logger.debug(
        `statistics of section ${state.id} not read: ${describeCallError(error, this.upstreams.timeoutMs)}`,
      );
    }
  }

  private async fetchSummary(state: SectionState): Promise<SummaryDto | null> {
    const upstream = this.upstreams.sections.get(state.id);
    if (!upstream) return null;
    state.lastSummaryAt = Date.now();
    try {
      const { data } = await getSummary({ client: upstream.client, throwOnError: true, ...this.upstreams.callOptions });
      const hadError = state.summaryError !== null;
      const changed =
        !state.summary ||
        state.summary.frames !== data.frames ||
        state.summary.occupancy !== data.occupancy ||
        hadError;
      state.summary = {
        frames: data.frames,
        entries: data.entries,
        exits: data.exits,
        occupancy: data.occupancy,
        genders: data.genders,
        ages: data.ages,
        lastFrameAt: data.lastFrameAt,
        fetchedAt: new Date().toISOString(),
      };
      state.summaryError = null;
      const point = this.v2 && state.backfilled ? this.recordOccupancy(state, data) : null;
      if (changed)
        this.events.emit({
          type: 'summary',
          data: { section: state.id, summary: state.summary, summaryError: null, occupancyPoint: point },
        });
      return data;
    } catch (error) {
      const reason = `section ${state.id} (${upstream.url}): ${describeCallError(error, this.upstreams.timeoutMs)}`;
      if (state.summaryError !== reason) {
        this.logger.warn(`summary not read: ${reason}`);
        state.summaryError = reason;
        this.events.emit({
          type: 'summary',
          data: { section: state.id, summary: state.summary, summaryError: reason, occupancyPoint: null },
        });
      }
      return null;
    }
  }

  /** After a push, the section's totals are read again (at most once a second per section). */
  private scheduleSummary(state: SectionState): void {
    if (state.summaryTimer || !this.upstreams.sections.has(state.id)) return;
    const wait = Math.max(0, state.lastSummaryAt + SUMMARY_MIN_INTERVAL_MS - Date.now());
    state.summaryTimer = setTimeout(() => {
      state.summaryTimer = undefined;
      void this.fetchSummary(state);
    }, wait);
    state.summaryTimer.unref();
  }

  private async refreshAlert(): Promise<void> {
    try {
      const { data } = await getLatestAlert({
        client: this.upstreams.alerts.client,
        throwOnError: true,
        ...this.upstreams.callOptions,
      });
      if (newer(data, this.alert)) {
        this.alert = this.fromStoredAlert(data);
        this.events.emit({ type: 'alert', data: this.alert });
      }
    } catch (error) {
      const reason = describeCallError(error, this.upstreams.timeoutMs);
      if (!reason.startsWith('HTTP 404')) this.logger.debug(`latest alert not read: ${reason}`);
    }
  }

  private fromStoredAlert(a: StoredAlert): AlertViewDto {
    return {
      frameId: a.frameId,
      cameraId: a.cameraId,
      section: a.section,
      event: a.event,
      timestamp: a.timestamp,
      personId: a.personId,
      name: a.name,
      similarity: a.similarity,
      ...(a.box ? { box: a.box } : {}),
      id: a.id,
      storedAt: a.storedAt,
      receivedAt: new Date().toISOString(),
      source: 'alerts',
    };
  }

  private readThroughRecord(state: SectionState, record: StatisticsRecordDto): void {
    const view = this.fromRecord(record);
    const agePoints = this.recordAges(state, view);
    const latest = newer(view, state.analysis);
    if (latest) state.analysis = view;
    if (latest || agePoints.length)
      this.events.emit({
        type: 'analysis',
        data: { section: state.id, analysis: latest ? view : null, photo: null, agePoints },
      });
  }

  private fromRecord(r: StatisticsRecordDto): AnalysisViewDto {
    return {
      frameId: r.frameId,
      cameraId: r.cameraId,
      section: r.section,
      event: r.event,
      timestamp: r.timestamp,
      personCount: r.personCount ?? null,
      faces: r.faces.map((f) => ({
        ...(f.gender ? { gender: f.gender } : {}),
        ...(f.age !== undefined ? { age: f.age } : {}),
        ...(f.ageRange ? { ageRange: f.ageRange } : {}),
      })),
      matches: [],
      receivedAt: new Date().toISOString(),
      source: 'section',
      photo: null,
    };
  }

  /** The history behind the charts, rebuilt from the newest stored records and the current totals. */
  private backfill(state: SectionState, summary: SummaryDto, newestFirst: StatisticsRecordDto[]): void {
    if (!this.v2) return;
    let occupancy = summary.occupancy;
    const points: OccupancyPoint[] = [];
    for (const r of newestFirst) {
      points.push({ t: r.timestamp, v: occupancy });
      const people = r.personCount ?? 0;
      occupancy -= r.event === 'entry' ? people : -people;
    }
    state.occupancy = mergeByTime(points.reverse(), state.occupancy).slice(-MAX_OCCUPANCY_POINTS);
    for (const r of [...newestFirst].reverse()) this.recordAges(state, this.fromRecord(r));
    this.events.emit({
      type: 'summary',
      data: {
        section: state.id,
        summary: state.summary,
        summaryError: null,
        occupancyPoint: null,
        history: { occupancy: state.occupancy, ages: state.ages },
      },
    });
  }

  private recordOccupancy(state: SectionState, summary: SummaryDto): OccupancyPoint | null {
    const t = summary.lastFrameAt;
    if (!t) return null;
    const last = state.occupancy.at(-1);
    if (last && Date.parse(last.t) > Date.parse(t)) return null;
    if (last && last.t === t) {
      if (last.v === summary.occupancy) return null;
      last.v = summary.occupancy;
      return last;
    }
    const point = { t, v: summary.occupancy };
    state.occupancy.push(point);
    if (state.occupancy.length > MAX_OCCUPANCY_POINTS)
      state.occupancy.splice(0, state.occupancy.length - MAX_OCCUPANCY_POINTS);
    return point;
  }

  private recordAges(state: SectionState, analysis: AnalysisViewDto): AgePoint[] {
    if (!this.v2 || state.aged.has(analysis.frameId)) return [];
    state.aged.add(analysis.frameId);
    if (state.aged.size > 4 * MAX_AGE_POINTS) state.aged.delete(state.aged.values().next().value!);
    const points = analysis.faces.flatMap((f) =>
      typeof f.age === 'number'
        ? [{ t: analysis.timestamp, age: Math.round(f.age * 10) / 10, ...(f.gender ? { gender: f.gender } : {}) }]
        : [],
    );
    if (!points.length) return [];
    state.ages.push(...points);
    state.ages.sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
    if (state.ages.length > MAX_AGE_POINTS) state.ages.splice(0, state.ages.length - MAX_AGE_POINTS);
    return points;
  }

  /** The state of a section, created on first use while fewer than MAX_SECTIONS are shown; else undefined. */
  private section(id: string): SectionState | undefined {
    let state = this.sections.get(id);
    if (!state) {
      if (this.sections.size >= MAX_SECTIONS) {
        this.logger.warn(`section ${id} not shown: at most ${MAX_SECTIONS} sections`);
        return undefined;
      }
      state = {
        id,
        analysis: null,
        photo: null,
        summary: null,
        summaryError: null,
        occupancy: [],
        ages: [],
        aged: new Set(),
        backfilled: false,
        lastSummaryAt: 0,
      };
      this.sections.set(id, state);
    }
    return state;
  }

  private view(s: SectionState): SectionView {
    return {
      section: s.id,
      analysis: s.analysis,
      summary: s.summary,
      summaryError: s.summaryError,
      photo: s.photo?.view ?? null,
      occupancy: s.occupancy,
      ages: s.ages,
    };
  }
}

function mergeByTime(a: OccupancyPoint[], b: OccupancyPoint[]): OccupancyPoint[] {
  const byTime = new Map<string, OccupancyPoint>();
  for (const p of [...a, ...b]) byTime.set(p.t, p);
  return [...byTime.values()].sort((x, y) => Date.parse(x.t) - Date.parse(y.t));
}
