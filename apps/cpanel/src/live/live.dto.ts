import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBase64,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CAMERA_EVENTS, type CameraEvent, FRAME_ID_PATTERN, GENDERS, type Gender } from '@airport-mesh/contracts';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const SECTION = /^[A-Za-z0-9-]{1,32}$/;

/** Where a face is in the frame, in pixels of the frame. */
export class BoxDto {
  @ApiProperty({ example: 412 }) @IsNumber() @Min(0) @Max(100_000) x: number;
  @ApiProperty({ example: 188 }) @IsNumber() @Min(0) @Max(100_000) y: number;
  @ApiProperty({ example: 96 }) @IsNumber() @Min(0) @Max(100_000) width: number;
  @ApiProperty({ example: 96 }) @IsNumber() @Min(0) @Max(100_000) height: number;
}

/** One face found by image-analysis. */
export class FaceDto {
  @ApiProperty({ type: BoxDto })
  @IsObject()
  @ValidateNested()
  @Type(() => BoxDto)
  box: BoxDto;

  @ApiProperty({ description: 'Detector confidence, 0..1', example: 0.97 })
  @IsNumber()
  @Min(0)
  @Max(1)
  score: number;

  @ApiPropertyOptional({ enum: GENDERS })
  @IsOptional()
  @IsIn(GENDERS)
  gender?: Gender;

  @ApiPropertyOptional({ description: 'Confidence of the gender estimate, 0..1', example: 0.91 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  genderScore?: number;

  @ApiPropertyOptional({ description: 'Estimated age in years', example: 40.2 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(130)
  age?: number;

  @ApiPropertyOptional({ example: '38-43' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,3}-\d{1,3}$/, { message: 'ageRange must look like 38-43' })
  ageRange?: string;
}

/** A person of interest recognised by face-recognition. */
export class MatchDto {
  @ApiProperty({ example: 'p-42' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,128}$/, { message: 'personId must be 1-128 letters, digits or _.:-' })
  personId: string;

  @ApiProperty({ example: 'PersonX' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ description: 'Similarity to the enrolled person, 0..1', example: 0.83 })
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

class FrameFieldsDto {
  @ApiProperty({ description: 'cameraId:seq', example: '1:1732180000000' })
  @Matches(FRAME_ID_PATTERN, { message: 'frameId must be cameraId:seq' })
  frameId: string;

  @ApiProperty({ example: '1' })
  @IsString()
  @Matches(ID, { message: 'cameraId must be a short id such as 1' })
  cameraId: string;

  @ApiProperty({ example: '1' })
  @IsString()
  @Matches(SECTION, { message: 'section must be a section id such as 1' })
  section: string;

  @ApiProperty({ enum: CAMERA_EVENTS })
  @IsIn(CAMERA_EVENTS)
  event: CameraEvent;

  @ApiProperty({ description: 'When the camera took the frame (ISO 8601)', example: '2026-11-21T10:00:00.000Z' })
  @IsISO8601({ strict: true })
  timestamp: string;
}

/** The latest analysis of one frame, pushed by the collector (seed 000: `POST /analysis`). */
export class CreateAnalysisDto extends FrameFieldsDto {
  @ApiProperty({ description: 'People in the frame; null when it was not analysed', nullable: true, type: Number })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  personCount: number | null = null;

  @ApiProperty({ type: [FaceDto] })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => FaceDto)
  faces: FaceDto[] = [];

  @ApiProperty({ type: [MatchDto] })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => MatchDto)
  matches: MatchDto[] = [];

  @ApiPropertyOptional({ description: 'The frame as base64 JPEG; kept by v2 only (for the photo)', format: 'byte' })
  @IsOptional()
  @IsString()
  @MaxLength(64 * 1024 * 1024)
  @IsBase64()
  image?: string;
}

/** An alert, the same shape as the alerts service's (its stored form, with `id` and `storedAt`, is accepted too). */
export class CreateAlertDto extends FrameFieldsDto {
  @ApiProperty({ example: 'p-42' })
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

  @ApiPropertyOptional({ description: "The alerts service's id, when known" })
  @IsOptional()
  @IsInt()
  @Min(0)
  id?: number;

  @ApiPropertyOptional({ description: 'When the alerts service stored it, when known' })
  @IsOptional()
  @IsISO8601({ strict: true })
  storedAt?: string;
}

/** A face as shown: from a push (with box and score) or read through from a section (gender and age only). */
export class FaceViewDto {
  @ApiPropertyOptional({ type: BoxDto }) box?: BoxDto;
  @ApiPropertyOptional() score?: number;
  @ApiPropertyOptional({ enum: GENDERS }) gender?: Gender;
  @ApiPropertyOptional() genderScore?: number;
  @ApiPropertyOptional() age?: number;
  @ApiPropertyOptional() ageRange?: string;
}

export class PhotoDto {
  @ApiProperty({ example: '/analysis/1/photo?frame=1%3A1732180000000' }) url: string;
  @ApiProperty({ example: 1280 }) width: number;
  @ApiProperty({ example: 720 }) height: number;
}

export class AnalysisViewDto {
  @ApiProperty() frameId: string;
  @ApiProperty() cameraId: string;
  @ApiProperty() section: string;
  @ApiProperty({ enum: CAMERA_EVENTS }) event: CameraEvent;
  @ApiProperty() timestamp: string;
  @ApiProperty({ nullable: true, type: Number }) personCount: number | null;
  @ApiProperty({ type: [FaceViewDto] }) faces: FaceViewDto[];
  @ApiProperty({ type: [MatchDto] }) matches: MatchDto[];
  @ApiProperty({ description: 'When cpanel got it' }) receivedAt: string;
  @ApiProperty({
    enum: ['collector', 'section'],
    description: 'Pushed by the collector, or read through from the section service',
  })
  source: 'collector' | 'section';
  @ApiProperty({ type: PhotoDto, nullable: true, description: 'v2 only: the frame photo' }) photo: PhotoDto | null;
}

export class LatestAnalysesDto {
  @ApiProperty({ type: [AnalysisViewDto], description: 'The latest analysis of each section, by section' })
  items: AnalysisViewDto[];
}

export class AnalysisAcceptedDto {
  @ApiProperty() frameId: string;
  @ApiProperty() section: string;
  @ApiProperty({ description: 'false when a newer frame of the section was already shown (this one arrived late)' })
  latest: boolean;
}

export class AlertViewDto {
  @ApiProperty() frameId: string;
  @ApiProperty() cameraId: string;
  @ApiProperty() section: string;
  @ApiProperty({ enum: CAMERA_EVENTS }) event: CameraEvent;
  @ApiProperty() timestamp: string;
  @ApiProperty() personId: string;
  @ApiProperty() name: string;
  @ApiProperty() similarity: number;
  @ApiPropertyOptional({ type: BoxDto }) box?: BoxDto;
  @ApiPropertyOptional() id?: number;
  @ApiPropertyOptional() storedAt?: string;
  @ApiProperty({ description: 'When cpanel got it' }) receivedAt: string;
  @ApiProperty({ enum: ['collector', 'alerts'] }) source: 'collector' | 'alerts';
}

export class AlertAcceptedDto {
  @ApiProperty() frameId: string;
  @ApiProperty() personId: string;
  @ApiProperty({ description: 'false when a newer alert was already shown' }) latest: boolean;
}

export class SectionParamDto {
  @ApiProperty({ example: '1' })
  @IsString()
  @Matches(SECTION, { message: 'section must be a section id such as 1' })
  section: string;
}

export class PhotoQueryDto {
  @ApiPropertyOptional({ description: 'Frame id (only makes the URL unique per frame)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  frame?: string;
}
