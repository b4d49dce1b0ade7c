// Typed errors for bad input. Services map `httpStatus` to their problem responses (4xx): a bad
// image is the caller's fault and never takes the process down.

export type VisionErrorCode =
  'EMPTY_INPUT' | 'NOT_AN_IMAGE' | 'TRUNCATED_IMAGE' | 'IMAGE_TOO_LARGE' | 'MODELS_UNAVAILABLE';

export class VisionError extends Error {
  constructor(
    readonly code: VisionErrorCode,
    /** The HTTP status a service should answer with. */
    readonly httpStatus: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The body was empty (0 bytes). */
export class EmptyInputError extends VisionError {
  constructor() {
    super('EMPTY_INPUT', 400, 'empty image: the input has 0 bytes');
  }
}

/** The bytes are not an image format the decoder knows (JPEG, PNG, WebP, GIF, TIFF, AVIF, SVG). */
export class NotAnImageError extends VisionError {
  constructor(detail: string, cause?: unknown) {
    super('NOT_AN_IMAGE', 415, `not a supported image: ${detail}`, { cause });
  }
}

/** The image header is valid but its data ends early or is corrupt. */
export class TruncatedImageError extends VisionError {
  constructor(detail: string, cause?: unknown) {
    super('TRUNCATED_IMAGE', 422, `truncated or corrupt image: ${detail}`, { cause });
  }
}

/** More pixels than `maxPixels` (checked from the header, before decoding). */
export class ImageTooLargeError extends VisionError {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
    super(
      'IMAGE_TOO_LARGE',
      413,
      `image too large: ${width}×${height} = ${width * height} pixels, the limit is ${maxPixels}`,
    );
  }
}

/** The ONNX models could not be found or loaded (a deployment problem, not the caller's). */
export class ModelsUnavailableError extends VisionError {
  constructor(detail: string, cause?: unknown) {
    super('MODELS_UNAVAILABLE', 503, `vision models unavailable: ${detail}`, { cause });
  }
}
