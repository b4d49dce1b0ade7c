import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CameraStateDto } from '../cameras/cameras.dto.js';

export class ServiceHealthDto {
  @ApiProperty({ example: 'collector' }) name: string;
  @ApiProperty({ example: 'http://127.0.0.1:8081' }) url: string;
  @ApiProperty({ description: 'It answered its /status with 200' }) online: boolean;
  @ApiProperty({ nullable: true, type: String, example: 'Collector v1 : Online', description: 'Its status line' })
  status: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'ECONNREFUSED', description: 'Why it did not answer' }) error:
    string | null;
  @ApiProperty({ description: 'Time to the answer (or to the failure)' }) latencyMs: number;
  @ApiPropertyOptional({ type: CameraStateDto, description: 'Cameras: their state (seed 000 `make health`)' })
  state?: CameraStateDto;
}

export class HealthAllDto {
  @ApiProperty() checkedAt: string;
  @ApiProperty({ description: 'Services online / checked' }) online: number;
  @ApiProperty() total: number;
  @ApiProperty({ type: [ServiceHealthDto] }) services: ServiceHealthDto[];
}

export class HealthAllQueryDto {
  @ApiPropertyOptional({
    enum: ['json', 'text'],
    default: 'json',
    description: '`text`: one line per service, like `make health`',
  })
  @IsOptional()
  @IsIn(['json', 'text'])
  format?: 'json' | 'text';
}
