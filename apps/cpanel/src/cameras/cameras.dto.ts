import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { CAMERA_EVENTS, type CameraEvent } from '@airport-mesh/contracts';

/** The camera agent's own state (seed 000: `{"streaming":true,"cycle":7,"fps":2,"section":"1","destination":"…","event":"exit"}`). */
export class CameraStateDto {
  @ApiProperty() streaming: boolean;
  @ApiProperty() cycle: number;
  @ApiProperty() fps: number;
  @ApiProperty() section: string;
  @ApiProperty() destination: string;
  @ApiProperty() event: string;
}

export class CameraDto {
  @ApiProperty({ example: '1' }) id: string;
  @ApiProperty({ example: 'exit camera section 1' }) description: string;
  @ApiProperty({ example: 'http://camera-agent-1:8080' }) url: string;
  @ApiProperty({ example: '1' }) section: string;
  @ApiProperty({ enum: CAMERA_EVENTS }) type: CameraEvent;
  @ApiProperty({
    type: CameraStateDto,
    nullable: true,
    description: 'As last read from the camera; null when it could not be read',
  })
  state: CameraStateDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why the camera could not be reached, or null' }) error:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the state was last read' }) checkedAt: string | null;
}

export class CamerasDto {
  @ApiProperty({ description: 'The cameras file in use' }) file: string;
  @ApiProperty({ description: 'When it was read' }) loadedAt: string;
  @ApiProperty({ type: [CameraDto] }) cameras: CameraDto[];
}

export class CameraParamDto {
  @ApiProperty({ example: '1' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'id must be a camera id such as 1' })
  id: string;
}

export class StartCameraDto {
  @ApiPropertyOptional({ description: "Frames per second (default: the camera's)", minimum: 0.1, maximum: 60 })
  @IsOptional()
  @IsNumber()
  @Min(0.1)
  @Max(60)
  fps?: number;

  @ApiPropertyOptional({ description: 'Stop by itself after this many frames' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  maxFrames?: number;
}
