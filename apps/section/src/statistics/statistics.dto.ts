import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
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
  ValidateNested,
} from 'class-validator';
import { CAMERA_EVENTS, type CameraEvent, FRAME_ID_PATTERN, GENDERS, type Gender } from '@airport-mesh/contracts';

export class FaceStatisticDto {
  @ApiPropertyOptional({ enum: GENDERS })
  @IsOptional()
  @IsIn(GENDERS)
  gender?: Gender;

  @ApiPropertyOptional({ description: 'Estimated age in years', example: 40.2 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(130)
  age?: number;

  @ApiPropertyOptional({ example: '38-43' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,3}-\d{1,3}$/)
  ageRange?: string;
}

/** One record per camera frame: who the analysers saw in it. */
export class CreateStatisticsDto {
  @ApiProperty({
    description: 'cameraId:seq, unique per frame; storing is idempotent on it',
    example: '1:1732180000000',
  })
  @Matches(FRAME_ID_PATTERN, { message: 'frameId must be cameraId:seq' })
  frameId: string;

  @ApiProperty({ example: '1' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  cameraId: string;

  @ApiProperty({ description: "The section the camera belongs to; must be this service's section", example: '1' })
  @IsString()
  @MaxLength(32)
  section: string;

  @ApiProperty({ enum: CAMERA_EVENTS })
  @IsIn(CAMERA_EVENTS)
  event: CameraEvent;

  @ApiProperty({ description: 'When the camera took the frame (ISO 8601)', example: '2026-11-21T10:00:00.000Z' })
  @IsISO8601({ strict: true })
  timestamp: string;

  @ApiProperty({
    description: 'People in the frame; null when the frame was not analysed',
    nullable: true,
    type: Number,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  personCount: number | null = null;

  @ApiProperty({ type: [FaceStatisticDto] })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => FaceStatisticDto)
  faces: FaceStatisticDto[] = [];
}

export class StoreResultDto {
  @ApiProperty() frameId: string;
  @ApiProperty({ description: 'false when this frame id was already stored (a retried delivery)' }) stored: boolean;
  @ApiProperty() duplicate: boolean;
}

export class StatisticsRecordDto extends CreateStatisticsDto {
  @ApiProperty({ description: 'When this service stored the record (ISO 8601)' })
  storedAt: string;
}

export class StatisticsPageDto {
  @ApiProperty({ type: [StatisticsRecordDto] }) items: StatisticsRecordDto[];
  @ApiProperty({ description: 'Total records stored' }) total: number;
}

export class ListStatisticsQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 50;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset = 0;
}

export class SummaryQueryDto {
  @ApiPropertyOptional({ description: 'Only frames taken in the last N seconds; all frames when absent', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365 * 24 * 3600)
  windowSeconds?: number;
}

export class GenderSplitDto {
  @ApiProperty() male: number;
  @ApiProperty() female: number;
  @ApiProperty({ description: 'Faces without a gender estimate' }) unknown: number;
}

export class SummaryDto {
  @ApiProperty({ example: '1' }) section: string;
  @ApiProperty({ description: 'Frames stored (in the window)' }) frames: number;
  @ApiProperty({ description: 'Frames that were analysed (personCount known)' }) analysedFrames: number;
  @ApiProperty({ description: 'People counted by entry cameras' }) entries: number;
  @ApiProperty({ description: 'People counted by exit cameras' }) exits: number;
  @ApiProperty({ description: 'entries − exits' }) occupancy: number;
  @ApiProperty({ type: GenderSplitDto }) genders: GenderSplitDto;
  @ApiProperty({
    description: 'Faces per decade of age: "0-9", "10-19", …',
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  ages: Record<string, number>;
  @ApiProperty({ nullable: true, type: String, description: 'Timestamp of the newest frame' }) lastFrameAt:
    string | null;
  @ApiProperty({ nullable: true, type: Number }) windowSeconds: number | null;
}
