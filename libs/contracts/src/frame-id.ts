/**
 * A frame is identified by the camera that took it and that camera's sequence number: `cameraId:seq`.
 * Every store deduplicates on it, which turns at-least-once delivery into exactly-once storage.
 */
export function frameId(cameraId: string, seq: number): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cameraId)) throw new RangeError(`invalid camera id: ${JSON.stringify(cameraId)}`);
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`invalid sequence number: ${seq}`);
  return `${cameraId}:${seq}`;
}

export const FRAME_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}:\d{1,15}$/;
