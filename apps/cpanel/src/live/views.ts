import type { PersonMatchDto as MatchDto } from '@airport-mesh/contracts';
import type { AlertViewDto, AnalysisViewDto, FaceViewDto } from './live.dto.js';

/** The section service's totals, as last read. */
export interface SummaryView {
  frames: number;
  entries: number;
  exits: number;
  occupancy: number;
  genders: { male: number; female: number; unknown: number };
  ages: Record<string, number>;
  lastFrameAt: string | null;
  fetchedAt: string;
}

/** Occupancy after a frame (t: frame time). */
export interface OccupancyPoint {
  t: string;
  v: number;
}

/** One face's estimated age (t: frame time). */
export interface AgePoint {
  t: string;
  age: number;
  gender?: string;
}

/** v2: the latest photo of a section, with what was found on it. */
export interface PhotoView {
  url: string;
  width: number;
  height: number;
  frameId: string;
  cameraId: string;
  event: string;
  timestamp: string;
  faces: FaceViewDto[];
  matches: MatchDto[];
}

/** Everything the dashboard shows of one section. */
export interface SectionView {
  section: string;
  analysis: AnalysisViewDto | null;
  summary: SummaryView | null;
  /** Why the summary could not be read (the section service is down), or null. */
  summaryError: string | null;
  photo: PhotoView | null;
  occupancy: OccupancyPoint[];
  ages: AgePoint[];
}

export interface LiveSnapshot {
  sections: SectionView[];
  alert: AlertViewDto | null;
}
