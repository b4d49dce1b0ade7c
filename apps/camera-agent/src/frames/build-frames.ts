/**
 * Build step (tools/scripts/in-project.sh runs an app's dist/build-assets.js after its bundle): the built-in
 * sample photos rendered once at the default frame size into dist/sample-frames/, so a camera started with
 * the defaults neither decodes photos nor loads sharp at start.
 */
import { CameraEnv } from '../camera.env.js';
import { renderFrames, sampleImagePaths } from './render.js';
import { PRERENDERED_DIR, writePrerendered } from './prerendered.js';

export async function buildFrames(dir = PRERENDERED_DIR): Promise<number> {
  const { FRAME_WIDTH: width, FRAME_HEIGHT: height } = new CameraEnv();
  const sources = sampleImagePaths();
  writePrerendered(dir, width, height, sources, await renderFrames(sources, width, height));
  return sources.length;
}
