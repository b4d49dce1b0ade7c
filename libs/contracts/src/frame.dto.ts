import { ApiProperty, IntersectionType, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Min } from 'class-validator';
import { type CameraEvent, GENDERS, type Gender } from './camera-event.js';
import {
  CameraEventField,
  CameraIdField,
  DateTimeField,
  FrameIdField,
  FrameTimestampField,
  NestedField,
  NumberField,
  PersonIdField,
  PersonNameField,
  SectionIdField,
} from './fields.js';

/**
 * The frame's vocabulary, declared once: every service's request and response DTOs are built from
 * these classes (extend, PickType, PartialType, IntersectionType of @nestjs/swagger), so each field's
 * rule and documentation live here only.
 */

/** Where a face is in the frame, in pixels of the frame. */
export class BoxDto {
  @NumberField(0, 100_000, { example: 412 }) x: number;
  @NumberField(0, 100_000, { example: 188 }) y: number;
  @NumberField(0, 100_000, { example: 96 }) width: number;
  @NumberField(0, 100_000, { example: 96 }) height: number;
}

/** A face found by the detector: where, and how sure. */
export class FaceDetectionDto {
  @NestedField(() => BoxDto, { description: 'Face box in pixels of the frame' }) box: BoxDto;
  @NumberField(0, 1, { description: 'Detector confidence, 0..1', example: 0.97 }) score: number;
}

/** What image-analysis estimates about a face. */
export class FaceAttributesDto {
  @ApiProperty({ enum: GENDERS })
  @IsIn(GENDERS)
  gender: Gender;

  @NumberField(0, 1, { description: 'Probability of the reported gender, 0.5..1', example: 0.91 })
  genderScore: number;

  @NumberField(0, 130, { description: 'Estimated age in years', example: 40.2 })
  age: number;

  @ApiProperty({ example: '38-43', pattern: '^\\d{1,3}-\\d{1,3}$', description: 'Inter-quartile range of the age' })
  @IsString()
  @Matches(/^\d{1,3}-\d{1,3}$/, { message: 'ageRange must look like 38-43' })
  ageRange: string;
}

/** A person of interest recognised by face-recognition. */
export class PersonMatchDto {
  @PersonIdField() personId: string;
  @PersonNameField() name: string;
  @NumberField(0, 1, { description: 'Cosine similarity to the enrolled person, 0..1', example: 0.83 })
  similarity: number;
  @NestedField(() => BoxDto, { description: 'The matched face in the frame' }) box: BoxDto;
}

/** Which frame something is about: its id, camera, section, event and time. */
export class FrameRefDto {
  @FrameIdField({ cameraField: 'cameraId' }) frameId: string;
  @CameraIdField() cameraId: string;
  @SectionIdField() section: string;
  @CameraEventField() event: CameraEvent;
  @FrameTimestampField() timestamp: string;

  @ApiProperty({
    required: false,
    pattern: '^[0-9a-f]{64}$',
    description:
      "SHA-256 (hex) of the frame's image bytes. With it, a repeat of the frame id is the same frame when camera, " +
      'section, event and image match (what was derived from the image may differ); a different frame is a 409',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'imageSha256 must be 64 lowercase hex digits' })
  imageSha256?: string;
}

/** The image services' JSON body (they also take the raw bytes): JPEG or PNG. */
export class ImageRequestDto {
  @ApiProperty({ description: 'The image (JPEG or PNG), base64-encoded', format: 'byte' })
  image: string;
}

/** A person of interest recognised in a frame: the frame, and the match (its box optional). */
export class FrameAlertDto extends IntersectionType(
  FrameRefDto,
  OmitType(PersonMatchDto, ['box']),
  PartialType(PickType(PersonMatchDto, ['box'])),
) {}

/** What the alerts service adds when it stores an alert. */
export class AlertRecordFieldsDto {
  @ApiProperty({ description: 'Store sequence number (also the order of arrival)', example: 17 })
  @IsInt()
  @Min(0)
  id: number;

  @DateTimeField({ description: 'When the alerts service stored the alert' }) storedAt: string;
}
