import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsUrl, Max, Min } from 'class-validator';

/** The seeds' camera state: `{"streaming":true,"cycle":7,"fps":2,"section":"1","destination":"http://…","event":"exit"}`. */
export class CameraStateDto {
  @ApiProperty() streaming: boolean;
  @ApiProperty({ description: 'Frames sent since the stream was started' }) cycle: number;
  @ApiProperty({ description: 'Frames per second while streaming, 0 when stopped' }) fps: number;
  @ApiProperty({ example: '1' }) section: string;
  @ApiProperty({ example: 'http://127.0.0.1:8081' }) destination: string;
  @ApiProperty({ enum: ['entry', 'exit'] }) event: string;
}

export class StartStreamDto {
  @ApiPropertyOptional({ description: 'Frames per second', minimum: 0.1, maximum: 60 })
  @IsOptional()
  @IsNumber()
  @Min(0.1)
  @Max(60)
  fps?: number;

  @ApiPropertyOptional({ description: 'Collector base URL (default: COLLECTOR_URL)' })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  destination?: string;

  @ApiPropertyOptional({ description: 'Stop by itself after this many frames' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  maxFrames?: number;
}

export class CameraCountersDto {
  @ApiProperty({ description: 'Distinct frames sent (first attempts)' }) sent: number;
  @ApiProperty({ description: 'Frames the collector acknowledged (stored by their section)' }) acknowledged: number;
  @ApiProperty({ description: 'Frames given up after all attempts failed' }) failed: number;
  @ApiProperty({ description: 'Repeated attempts of frames not acknowledged at first' }) retries: number;
  @ApiProperty({ description: 'Acknowledged frames the section already had (a retry after a lost answer)' })
  duplicates: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ description: 'Frame id of the first frame of the current stream', nullable: true, type: String })
  firstFrameId: string | null;
}
