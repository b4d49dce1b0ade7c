import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  DateTimeField,
  FaceAttributesDto,
  FrameRefDto,
  NestedArrayField,
  PageQueryDto,
  PersonCountField,
  SectionIdField,
} from '@airport-mesh/contracts';

/** What the section keeps of a face: the attributes only (no box, no descriptor). */
export class FaceStatisticDto extends PartialType(PickType(FaceAttributesDto, ['gender', 'age', 'ageRange'])) {}

/** One record per camera frame: who the analysers saw in it. */
export class CreateStatisticsDto extends FrameRefDto {
  @PersonCountField() personCount: number | null = null;
  @NestedArrayField(() => FaceStatisticDto, 1000) faces: FaceStatisticDto[] = [];
}

export class StoreResultDto extends PickType(FrameRefDto, ['frameId']) {
  @ApiProperty({ description: 'false when this frame id was already stored (a retried delivery)' }) stored: boolean;
  @ApiProperty() duplicate: boolean;
}

class StoredAtDto {
  @DateTimeField({ description: 'When this service stored the record' }) storedAt: string;
}

export class StatisticsRecordDto extends IntersectionType(
  OmitType(CreateStatisticsDto, ['imageSha256']),
  StoredAtDto,
) {}

export class StatisticsPageDto {
  @ApiProperty({ type: [StatisticsRecordDto] }) items: StatisticsRecordDto[];
  @ApiProperty({ description: 'Total records stored' }) total: number;
}

export class ListStatisticsQueryDto extends PageQueryDto {}

export class SummaryQueryDto {
  @ApiPropertyOptional({ description: 'Only frames taken in the last N seconds; all frames when absent', minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365 * 24 * 3600)
  windowSeconds?: number;
}

export class GenderSplitDto {
  @ApiProperty() male: number;
  @ApiProperty() female: number;
  @ApiProperty({ description: 'Faces without a gender estimate' }) unknown: number;
}

export class SummaryDto {
  @SectionIdField() section: string;
  @ApiProperty({ description: 'Frames stored (in the window)' }) frames: number;
  @ApiProperty({ description: 'Frames that were analysed (personCount known)' }) analysedFrames: number;
  @ApiProperty({ description: 'People counted by entry cameras' }) entries: number;
  @ApiProperty({ description: 'People counted by exit cameras' }) exits: number;
  @ApiProperty({ description: 'entries − exits' }) occupancy: number;
  @ApiProperty({ type: GenderSplitDto }) genders: GenderSplitDto;
  @ApiProperty({
    description: 'Faces per decade of age: "0-9", "10-19", …',
    type: 'object',
    additionalProperties: { type: 'number' },
  })
  ages: Record<string, number>;
  @ApiProperty({ nullable: true, type: String, description: 'Timestamp of the newest frame' }) lastFrameAt:
    string | null;
  @ApiProperty({ nullable: true, type: Number }) windowSeconds: number | null;
}
