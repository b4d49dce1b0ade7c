/**
 * The ids every service speaks, and their one rule each. Patterns are anchored and bounded, so they
 * double as length limits; the OpenAPI documents show them as `pattern`.
 */

/** A camera: `1`, `camera-1`, `e2e` (letters, digits, `_` and `-`, 1–64). */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** An airport section: `1`, `2`, `north` (letters, digits and `-`, 1–32). */
export const SECTION_ID_PATTERN = /^[A-Za-z0-9-]{1,32}$/;

/** A watch-list person as other services name it (face-recognition issues UUIDs). */
export const PERSON_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The one bound on a camera's frame counter: a JSON number every service reads exactly
 * (2^53 − 1 = 9007199254740991, 16 digits). The collector's `seq` and the `seq` part of every frame id
 * use this same bound, so a frame one service accepts is accepted by all.
 */
export const SEQ_MAX = Number.MAX_SAFE_INTEGER;

/**
 * `cameraId:seq`, seq in canonical decimal (no sign, no leading zeros). Not exact on its own for the
 * upper bound of seq: use {@link isFrameId}, which also checks `seq <= SEQ_MAX`.
 */
export const FRAME_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}:(?:0|[1-9][0-9]{0,15})$/;

export function isCameraId(value: unknown): value is string {
  return typeof value === 'string' && CAMERA_ID_PATTERN.test(value);
}

export function isSectionId(value: unknown): value is string {
  return typeof value === 'string' && SECTION_ID_PATTERN.test(value);
}

export function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= SEQ_MAX;
}

/**
 * A frame is identified by the camera that took it and that camera's sequence number: `cameraId:seq`.
 * Every store deduplicates on it, which turns at-least-once delivery into exactly-once storage.
 */
export function frameId(cameraId: string, seq: number): string {
  if (!isCameraId(cameraId)) throw new RangeError(`invalid camera id: ${JSON.stringify(cameraId)}`);
  if (!isSeq(seq)) throw new RangeError(`invalid sequence number: ${seq}`);
  return `${cameraId}:${seq}`;
}

/** The camera id and seq of a frame id, or null when it is not one {@link frameId} could have made. */
export function parseFrameId(value: unknown): { cameraId: string; seq: number } | null {
  if (typeof value !== 'string' || !FRAME_ID_PATTERN.test(value)) return null;
  const at = value.lastIndexOf(':');
  const seq = Number(value.slice(at + 1));
  return isSeq(seq) ? { cameraId: value.slice(0, at), seq } : null;
}

export function isFrameId(value: unknown): value is string {
  return parseFrameId(value) !== null;
}
