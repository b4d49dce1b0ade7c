import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CAMERA_EVENTS, type CameraEvent, FRAME_ID_PATTERN } from '@airport-mesh/contracts';

/** Where the face is in the frame, in pixels of the frame. */
export class BoxDto {
  @ApiProperty({ example: 412 }) @IsNumber() @Min(0) @Max(100_000) x: number;
  @ApiProperty({ example: 188 }) @IsNumber() @Min(0) @Max(100_000) y: number;
  @ApiProperty({ example: 96 }) @IsNumber() @Min(0) @Max(100_000) width: number;
  @ApiProperty({ example: 96 }) @IsNumber() @Min(0) @Max(100_000) height: number;
}

/** A person of interest recognised in one camera frame. */
export class CreateAlertDto {
  @ApiProperty({
    description: 'cameraId:seq of the frame; with personId, storing is idempotent on it',
    example: '1:1732180000000',
  })
  @Matches(FRAME_ID_PATTERN, { message: 'frameId must be cameraId:seq' })
  frameId: string;

  @ApiProperty({ example: '1' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'cameraId must be a short id such as 1' })
  cameraId: string;

  @ApiProperty({ example: '1' })
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,32}$/, { message: 'section must be a section id such as 1' })
  section: string;

  @ApiProperty({ enum: CAMERA_EVENTS })
  @IsIn(CAMERA_EVENTS)
  event: CameraEvent;

  @ApiProperty({ description: 'When the camera took the frame (ISO 8601)', example: '2026-11-21T10:00:00.000Z' })
  @IsISO8601({ strict: true })
  timestamp: string;

  @ApiProperty({ description: 'The watch-list id of the person (face-recognition)', example: 'p-42' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,128}$/, { message: 'personId must be 1-128 letters, digits or _.:-' })
  personId: string;

  @ApiProperty({ example: 'PersonX' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ description: 'Similarity of the face to the enrolled person, 0..1', example: 0.83 })
  @IsNumber()
  @Min(0)
  @Max(1)
  similarity: number;

  @ApiPropertyOptional({ type: BoxDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BoxDto)
  box?: BoxDto;
}

export class AlertDto extends CreateAlertDto {
  @ApiProperty({ description: 'Store sequence number (also the order of arrival)', example: 17 }) id: number;
  @ApiProperty({ description: 'When this service stored the alert (ISO 8601)' }) storedAt: string;
}

/** The answer to POST /alerts, the same for a first delivery (201) and a repeat (200). */
export class StoreAlertResultDto {
  @ApiProperty({ type: AlertDto, description: 'The stored alert (for a repeat: as first stored)' }) alert: AlertDto;
  @ApiProperty({ description: 'false when this frame id and person were already stored (a retried delivery)' })
  stored: boolean;
  @ApiProperty() duplicate: boolean;
}

export class AlertsPageDto {
  @ApiProperty({ type: [AlertDto], description: 'Newest frame first' }) items: AlertDto[];
  @ApiProperty({ description: 'Alerts matching the filter' }) total: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}

export class ListAlertsQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 50;

  @ApiPropertyOptional({ default: 0, minimum: 0, description: 'Skip this many (ignored with cursor)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page (stable while new alerts arrive)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor value' })
  cursor?: string;

  @ApiPropertyOptional({ description: 'Only this section' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,32}$/, { message: 'section must be a section id such as 1' })
  section?: string;
}

export class LatestAlertQueryDto {
  @ApiPropertyOptional({ description: 'Only this section' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,32}$/, { message: 'section must be a section id such as 1' })
  section?: string;
}
