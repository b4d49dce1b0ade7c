import { ApiProperty } from '@nestjs/swagger';
import {
  CameraEventField,
  CameraIdField,
  type CameraEvent,
  CameraStateDto,
  SectionIdField,
  StreamOptionsDto,
} from '@airport-mesh/contracts';

export { CameraStateDto };

export class CameraDto {
  @CameraIdField() id: string;
  @ApiProperty({ example: 'exit camera section 1' }) description: string;
  @ApiProperty({ example: 'http://camera-agent-1:8080' }) url: string;
  @SectionIdField() section: string;
  @CameraEventField({ description: 'Where the camera stands (the cameras file `type`)' }) type: CameraEvent;
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
  @CameraIdField() id: string;
}

export class StartCameraDto extends StreamOptionsDto {}
