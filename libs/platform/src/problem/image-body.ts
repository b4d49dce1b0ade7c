import { BadRequestException } from '@nestjs/common';
import { ImageFormatError, imageHeader } from './image-format.js';
import { problem } from './problem.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * An image request body in either form the image services accept: raw bytes (a content type the app
 * lists in `rawBodyContentTypes`, parsed to a Buffer) or JSON `{ "image": "<base64>" }`. Anything else
 * is a 400 problem. The image's header is checked before it is returned ({@link checkedImage}): JPEG or
 * PNG only (others 415), a bounded number of pixels (413), a readable header (422); its body is checked
 * by whoever decodes it.
 */
export function imageFromBody(body: unknown): Buffer {
  return checkedImage(rawImageFromBody(body));
}

/** The image unchanged when its header is allowed ({@link imageHeader}); else the problem as an HttpException. */
export function checkedImage(image: Buffer, prefix = ''): Buffer {
  try {
    imageHeader(image);
  } catch (error) {
    if (error instanceof ImageFormatError) throw error.toHttp(prefix);
    throw error;
  }
  return image;
}

function rawImageFromBody(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const keys = Object.keys(body);
    const extra = keys.filter((k) => k !== 'image');
    if (extra.length)
      throw new BadRequestException(
        problem(400, `Invalid request: property ${extra[0]} should not exist`, {
          errors: extra.map((k) => `property ${k} should not exist`),
        }),
      );
    const image = (body as { image?: unknown }).image;
    if (typeof image !== 'string')
      throw new BadRequestException(
        problem(400, 'Invalid request: image must be a base64 string', { errors: ['image must be a base64 string'] }),
      );
    const compact = image.replace(/\s+/g, '');
    if (compact.length % 4 === 1 || !BASE64.test(compact))
      throw new BadRequestException(
        problem(400, 'Invalid request: image must be base64', { errors: ['image must be base64'] }),
      );
    return Buffer.from(compact, 'base64');
  }
  throw new BadRequestException(problem(400, 'Invalid request: expected an image body or JSON {"image": "<base64>"}'));
}
