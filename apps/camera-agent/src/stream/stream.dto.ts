import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUrl } from 'class-validator';
import { CameraStateDto, StreamOptionsDto } from '@airport-mesh/contracts';

export { CameraStateDto };

export class StartStreamDto extends StreamOptionsDto {
  @ApiPropertyOptional({ description: 'Collector base URL (default: COLLECTOR_URL)' })
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  destination?: string;
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
