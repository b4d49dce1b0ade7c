import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PickType } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { AlertRecordFieldsDto, FrameAlertDto, PageQueryDto, SectionIdField } from '@airport-mesh/contracts';

/** A person of interest recognised in one camera frame. */
export class CreateAlertDto extends FrameAlertDto {}

export class AlertDto extends IntersectionType(OmitType(FrameAlertDto, ['imageSha256']), AlertRecordFieldsDto) {}

/** The answer to POST /alerts, the same for a first delivery (201) and a repeat (200). */
export class StoreAlertResultDto {
  @ApiProperty({ type: AlertDto, description: 'The stored alert (for a repeat: as first stored)' }) alert: AlertDto;
  @ApiProperty({ description: 'false when this frame id and person were already stored (a retried delivery)' })
  stored: boolean;
  @ApiProperty() duplicate: boolean;
}

export class AlertsPageDto {
  @ApiProperty({ type: [AlertDto], description: 'Newest frame first' }) items: AlertDto[];
  @ApiProperty({ description: 'Alerts matching the filter' }) total: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}

/** `offset` is ignored with `cursor`. */
export class ListAlertsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page (stable while new alerts arrive)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor must be a nextCursor value' })
  cursor?: string;

  @SectionIdField({ required: false, description: 'Only this section' })
  section?: string;
}

export class LatestAlertQueryDto extends PickType(ListAlertsQueryDto, ['section']) {}
