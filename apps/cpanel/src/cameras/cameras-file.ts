import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAMERA_EVENTS, CAMERA_ID_PATTERN, type CameraEvent, SECTION_ID_PATTERN } from '@airport-mesh/contracts';
import { packageRoot, parseUrlMap } from '@airport-mesh/platform';

/** One camera of the cameras file (seed 000), ids and sections as strings. */
export interface CameraConfig {
  id: string;
  description: string;
  url: string;
  section: string;
  type: CameraEvent;
}

export class CamerasFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`cameras file ${file} is invalid: ${problems.join('; ')}`);
  }
}

/** The local stack's cameras, at the app's root (apps/cpanel/cameras.local.json). */
export const DEFAULT_CAMERAS_FILE = join(packageRoot(import.meta.url), 'cameras.local.json');

const FIELDS = ['id', 'description', 'url', 'section', 'type'];

function idOf(value: unknown, pattern: RegExp): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && pattern.test(value)) return value;
  return null;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && Boolean(url.hostname);
  } catch {
    return false;
  }
}

/**
 * Parses and checks the cameras file: `{"cameras":[{"id":1,"description":"exit camera section 1",
 * "url":"http://camera-agent-1:8080","section":1,"type":"exit"}, …]}`. Every problem is listed, not
 * just the first. `overrides` (CAMERA_URLS) replaces the url of a camera by id.
 */
export function parseCamerasFile(
  text: string,
  file: string,
  overrides: Map<string, string> = new Map(),
): CameraConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CamerasFileError(file, [`not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new CamerasFileError(file, ['must be an object {"cameras": [...]}']);
  const problems: string[] = [];
  for (const key of Object.keys(json)) if (key !== 'cameras') problems.push(`unknown field ${key}`);
  const list = (json as { cameras?: unknown }).cameras;
  if (!Array.isArray(list)) throw new CamerasFileError(file, [...problems, 'cameras must be an array']);
  if (list.length > 1000) throw new CamerasFileError(file, [...problems, 'cameras: at most 1000']);
  const cameras: CameraConfig[] = [];
  const seen = new Set<string>();
  list.forEach((entry: unknown, i) => {
    const at = `cameras[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      problems.push(`${at} must be an object`);
      return;
    }
    const c = entry as Record<string, unknown>;
    const before = problems.length;
    for (const key of Object.keys(c)) if (!FIELDS.includes(key)) problems.push(`${at}: unknown field ${key}`);
    const id = idOf(c.id, CAMERA_ID_PATTERN);
    if (id === null) problems.push(`${at}.id must be a non-negative integer or a short id`);
    else if (seen.has(id)) problems.push(`${at}.id ${id} is used twice`);
    else seen.add(id);
    if (typeof c.description !== 'string' || c.description.length > 200)
      problems.push(`${at}.description must be a string of at most 200 characters`);
    const section = idOf(c.section, SECTION_ID_PATTERN);
    if (section === null) problems.push(`${at}.section must be a section id such as 1`);
    if (!CAMERA_EVENTS.includes(c.type as CameraEvent))
      problems.push(`${at}.type must be one of ${CAMERA_EVENTS.join(', ')}`);
    const url = (id !== null ? overrides.get(id) : undefined) ?? c.url;
    if (!isHttpUrl(url)) problems.push(`${at}.url must be an http(s) URL`);
    if (problems.length === before) {
      cameras.push({
        id: id!,
        description: c.description as string,
        url: (url as string).replace(/\/+$/, ''),
        section: section!,
        type: c.type as CameraEvent,
      });
    }
  });
  if (problems.length) throw new CamerasFileError(file, problems);
  return cameras;
}

export function loadCamerasFile(file: string, cameraUrls?: string): CameraConfig[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CamerasFileError(file, [`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  let overrides = new Map<string, string>();
  if (cameraUrls) {
    try {
      overrides = parseUrlMap(cameraUrls, 'CAMERA_URLS', CAMERA_ID_PATTERN);
    } catch (error) {
      throw new CamerasFileError(file, [(error as Error).message]);
    }
  }
  return parseCamerasFile(text, file, overrides);
}
