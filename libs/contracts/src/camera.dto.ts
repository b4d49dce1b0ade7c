import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { CAMERA_EVENTS, type CameraEvent } from './camera-event.js';
import { SectionIdField } from './fields.js';

/** The seeds' camera state: `{"streaming":true,"cycle":7,"fps":2,"section":"1","destination":"http://…","event":"exit"}`. */
export class CameraStateDto {
  @ApiProperty() streaming: boolean;
  @ApiProperty({ description: 'Frames sent since the stream was started' }) cycle: number;
  @ApiProperty({ description: 'Frames per second while streaming, 0 when stopped' }) fps: number;
  @SectionIdField() section: string;
  @ApiProperty({ example: 'http://127.0.0.1:8081' }) destination: string;
  @ApiProperty({ enum: CAMERA_EVENTS }) event: CameraEvent;
}

/** How a camera streams when started (camera agent `POST /stream`, cpanel `POST /cameras/{id}/start`). */
export class StreamOptionsDto {
  @ApiPropertyOptional({ description: "Frames per second (default: the camera's)", minimum: 0.1, maximum: 60 })
  @IsOptional()
  @IsNumber()
  @Min(0.1)
  @Max(60)
  fps?: number;

  @ApiPropertyOptional({ description: 'Stop by itself after this many frames', minimum: 1, maximum: 10_000_000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  maxFrames?: number;
}
