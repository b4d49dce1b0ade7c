import { createHash } from 'node:crypto';

/**
 * What makes two deliveries of one frame id the same frame (a retry: stored once, answered 200) or two
 * different frames (a 409): the camera, section and event, and the image's SHA-256 when the sender
 * gives it (then what was derived from the image, e.g. faces and ages, may differ between attempts);
 * without a digest, `derived` (the analysis as sent) must match too. The time the frame was stamped is
 * not compared: a camera that re-sends a frame may stamp it again.
 */
export function frameFingerprint(
  frame: { cameraId: string; section: string; event: string; imageSha256?: string },
  derived: unknown,
): string {
  const content = frame.imageSha256
    ? [frame.cameraId, frame.section, frame.event, frame.imageSha256]
    : [frame.cameraId, frame.section, frame.event, derived];
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
