import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateBy,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { isPaddedBase64 } from './base64.js';
import { CAMERA_EVENTS } from './camera-event.js';
import {
  CAMERA_ID_PATTERN,
  FRAME_ID_PATTERN,
  PERSON_ID_PATTERN,
  SECTION_ID_PATTERN,
  SEQ_MAX,
  parseFrameId,
} from './ids.js';
import { MAX_FUTURE_SKEW_MS, MAX_PAST_SKEW_MS, frameTimestampProblem, parseRfc3339 } from './timestamp.js';

/**
 * One decorator per field of the shared vocabulary: its OpenAPI schema and its validation together,
 * so a DTO names the field's kind and never restates its rule. `required: false` makes it optional
 * (absent or undefined); `description` and `example` only change the documentation.
 */
export interface FieldOptions {
  required?: boolean;
  description?: string;
  example?: unknown;
  nullable?: boolean;
}

function field(docs: Record<string, unknown>, options: FieldOptions, ...validators: PropertyDecorator[]) {
  const required = options.required ?? true;
  const { description, example, nullable } = options;
  return applyDecorators(
    ApiProperty({
      ...docs,
      required,
      ...(description !== undefined && { description }),
      ...(example !== undefined && { example }),
      ...(nullable && { nullable: true }),
    }),
    ...(required ? [] : [IsOptional()]),
    ...validators,
  );
}

export const CameraIdField = (options: FieldOptions = {}) =>
  field(
    { type: String, pattern: CAMERA_ID_PATTERN.source, example: '1', description: 'A camera id' },
    options,
    IsString(),
    Matches(CAMERA_ID_PATTERN, { message: '$property must be a camera id such as 1 (1-64 of A-Z a-z 0-9 _ -)' }),
  );

export const SectionIdField = (options: FieldOptions = {}) =>
  field(
    { type: String, pattern: SECTION_ID_PATTERN.source, example: '1', description: 'A section id' },
    options,
    IsString(),
    Matches(SECTION_ID_PATTERN, { message: '$property must be a section id such as 1 (1-32 of A-Z a-z 0-9 -)' }),
  );

export const PersonIdField = (options: FieldOptions = {}) =>
  field(
    {
      type: String,
      pattern: PERSON_ID_PATTERN.source,
      example: '0b6f1c52-7c1e-4f0e-9a57-2f1d3c4b5a69',
      description: 'The watch-list id of the person (face-recognition)',
    },
    options,
    IsString(),
    Matches(PERSON_ID_PATTERN, { message: '$property must be 1-128 letters, digits or _.:-' }),
  );

const NAME_PATTERN = /^[^\u0000-\u001f<>]+$/;

/** A person's name as enrolled and shown in alerts: printable text without < or >, 1–100 characters. */
export const PersonNameField = (options: FieldOptions = {}) =>
  field(
    { type: String, minLength: 1, maxLength: 100, example: 'PersonX', description: 'Name shown in alerts' },
    options,
    IsString(),
    MinLength(1),
    MaxLength(100),
    Matches(NAME_PATTERN, { message: '$property must be printable text without < or >' }),
  );

export const SeqField = (options: FieldOptions = {}) =>
  field(
    {
      type: 'integer',
      minimum: 0,
      maximum: SEQ_MAX,
      example: 1732180000000,
      description: "The camera's frame counter; the frame id is `cameraId:seq`",
    },
    options,
    IsInt(),
    Min(0),
    Max(SEQ_MAX),
  );

/** `cameraId:seq` with seq ≤ SEQ_MAX; with `cameraField`, its camera part must equal that field. */
export const FrameIdField = (options: FieldOptions & { cameraField?: string } = {}) =>
  field(
    {
      type: String,
      pattern: FRAME_ID_PATTERN.source,
      maxLength: 81,
      example: '1:1732180000000',
      description: `cameraId:seq, seq at most ${SEQ_MAX}; unique per frame, stores are idempotent on it`,
    },
    options,
    ValidateBy({
      name: 'isFrameId',
      validator: {
        validate: (value: unknown, args?: ValidationArguments) => {
          const parsed = parseFrameId(value);
          if (!parsed) return false;
          const camera = options.cameraField && (args?.object as Record<string, unknown>)[options.cameraField];
          return !options.cameraField || camera === undefined || camera === parsed.cameraId;
        },
        defaultMessage: (args?: ValidationArguments) =>
          parseFrameId(args?.value) && options.cameraField
            ? `$property must be ${options.cameraField}:seq (its camera part differs from ${options.cameraField})`
            : `$property must be cameraId:seq with seq at most ${SEQ_MAX}`,
      },
    }),
  );

export const CameraEventField = (options: FieldOptions = {}) =>
  field({ enum: CAMERA_EVENTS, description: 'Entry or exit camera of its section' }, options, IsIn(CAMERA_EVENTS));

/** An RFC 3339 date-time with an offset, e.g. a time a service stored something. */
export const DateTimeField = (options: FieldOptions = {}) =>
  field(
    { type: String, format: 'date-time', example: '2026-11-21T10:00:00.000Z' },
    options,
    ValidateBy({
      name: 'isRfc3339',
      validator: {
        validate: (value: unknown) => parseRfc3339(value) !== null,
        defaultMessage: () => '$property must be an RFC 3339 date-time with an offset, e.g. 2026-11-21T10:00:00.000Z',
      },
    }),
  );

/** When the camera took the frame: RFC 3339 with an offset, within the skew bounds of the receiver's clock. */
export const FrameTimestampField = (options: FieldOptions = {}) =>
  field(
    {
      type: String,
      format: 'date-time',
      example: '2026-11-21T10:00:00.000Z',
      description:
        `When the camera took the frame: RFC 3339 with an offset, at most ${MAX_FUTURE_SKEW_MS / 60_000} minutes ` +
        `ahead of and ${MAX_PAST_SKEW_MS / 3_600_000} hours behind the receiver's clock`,
    },
    options,
    ValidateBy({
      name: 'isFrameTimestamp',
      validator: {
        validate: (value: unknown) => frameTimestampProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => {
          const problem = frameTimestampProblem(args?.value);
          if (problem === 'future')
            return `$property is more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes ahead of this service's clock`;
          if (problem === 'past')
            return `$property is more than ${MAX_PAST_SKEW_MS / 3_600_000} hours behind this service's clock`;
          return '$property must be an RFC 3339 date-time with an offset, e.g. 2026-11-21T10:00:00.000Z';
        },
      },
    }),
  );

/** A number in [min, max] (a score, a similarity, an age, a pixel coordinate). */
export const NumberField = (min: number, max: number, options: FieldOptions = {}) =>
  field(
    { type: Number, minimum: min, maximum: max },
    options,
    IsNumber({ allowNaN: false, allowInfinity: false }),
    Min(min),
    Max(max),
  );

/** A nested object of one of the shared classes. */
export const NestedField = (type: () => new () => object, options: FieldOptions = {}) =>
  // An arrow function named `type` is what @nestjs/swagger reads as a lazy type.
  field({ type: () => type() }, options, IsObject(), ValidateNested(), Type(type));

/** A list of at most `max` objects of one of the shared classes, each validated. */
export const NestedArrayField = (type: () => new () => object, max: number, options: FieldOptions = {}) =>
  field(
    { type: () => [type()], maxItems: max },
    options,
    IsArray(),
    ArrayMaxSize(max),
    ValidateNested({ each: true }),
    Type(type),
  );

/** A frame's JPEG as base64: at most 8 MiB of base64 (6 MiB of JPEG), the default body limit. */
export const FRAME_IMAGE_MAX_BASE64 = 8 * 1024 * 1024;

export const FrameImageField = (options: FieldOptions = {}) =>
  field(
    {
      type: String,
      format: 'byte',
      maxLength: FRAME_IMAGE_MAX_BASE64,
      description: 'The frame as a base64 JPEG',
    },
    options,
    IsString(),
    MaxLength(FRAME_IMAGE_MAX_BASE64),
    // IsBase64(), without its regular expression (base64.ts)
    ValidateBy({
      name: 'isBase64',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isPaddedBase64(value),
        defaultMessage: () => '$property must be base64 encoded',
      },
    }),
  );

/** People in a frame: null when the frame was not analysed. */
export const PersonCountField = (options: FieldOptions = {}) =>
  field(
    { type: Number, minimum: 0, maximum: 1000, description: 'People in the frame; null when it was not analysed' },
    { nullable: true, ...options },
    IsOptional(),
    IsInt(),
    Min(0),
    Max(1000),
  );
