import { ApiProperty, PickType } from '@nestjs/swagger';
import { FrameImageField, FrameRefDto, SeqField } from '@airport-mesh/contracts';

/** A camera frame "in json format" (seed 000): metadata and the JPEG as base64. */
export class CreateFrameDto extends PickType(FrameRefDto, ['cameraId', 'section', 'event', 'timestamp']) {
  @SeqField() seq: number;

  @FrameImageField({ description: 'The JPEG image, base64-encoded' }) image: string;
}

export class FrameAckDto extends PickType(FrameRefDto, ['frameId', 'section']) {
  @ApiProperty({ description: 'People in the frame; null when it was not analysed', nullable: true, type: Number })
  personCount: number | null;
  @ApiProperty({ type: [String], description: 'Persons of interest recognised in the frame (their alerts are stored)' })
  alerts: string[];
  @ApiProperty({ description: 'true when the section already had this frame (a retried delivery)' }) duplicate: boolean;
}
