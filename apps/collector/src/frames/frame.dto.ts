import { ApiProperty } from '@nestjs/swagger';
import { IsBase64, IsIn, IsInt, IsISO8601, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CAMERA_EVENTS, type CameraEvent } from '@airport-mesh/contracts';

/** A camera frame "in json format" (seed 000): metadata and the JPEG as base64. */
export class CreateFrameDto {
  @ApiProperty({ example: '1' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  cameraId: string;

  @ApiProperty({ example: '1' })
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,32}$/)
  section: string;

  @ApiProperty({ enum: CAMERA_EVENTS })
  @IsIn(CAMERA_EVENTS)
  event: CameraEvent;

  @ApiProperty({ description: 'When the camera took the frame (ISO 8601)', example: '2026-11-21T10:00:00.000Z' })
  @IsISO8601({ strict: true })
  timestamp: string;

  @ApiProperty({ description: "The camera's frame counter; the frame id is `cameraId:seq`", example: 1732180000000 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  seq: number;

  @ApiProperty({ description: 'The JPEG image, base64-encoded', format: 'byte' })
  @IsString()
  @MaxLength(12 * 1024 * 1024)
  @IsBase64()
  image: string;
}

export class FrameAckDto {
  @ApiProperty({ example: '1:1732180000000' }) frameId: string;
  @ApiProperty({ example: '1' }) section: string;
  @ApiProperty({ description: 'People in the frame; null when it was not analysed', nullable: true, type: Number })
  personCount: number | null;
  @ApiProperty({ type: [String], description: 'Persons of interest recognised in the frame (their alerts are stored)' })
  alerts: string[];
  @ApiProperty({ description: 'true when the section already had this frame (a retried delivery)' }) duplicate: boolean;
}
