import { ApiProperty, IntersectionType, OmitType, PartialType, PickType } from '@nestjs/swagger';
import {
  AlertRecordFieldsDto,
  FaceAttributesDto,
  FaceDetectionDto,
  FrameAlertDto,
  FrameIdField,
  FrameImageField,
  FrameRefDto,
  NestedArrayField,
  PersonCountField,
  PersonMatchDto,
  SectionIdField,
} from '@airport-mesh/contracts';

/** One face found by image-analysis: box and score, attributes when estimated. */
export class FaceDto extends IntersectionType(FaceDetectionDto, PartialType(FaceAttributesDto)) {}

/** The latest analysis of one frame, pushed by the collector (seed 000: `POST /analysis`). */
export class CreateAnalysisDto extends FrameRefDto {
  @PersonCountField() personCount: number | null = null;
  @NestedArrayField(() => FaceDto, 1000) faces: FaceDto[] = [];
  @NestedArrayField(() => PersonMatchDto, 1000) matches: PersonMatchDto[] = [];
  @FrameImageField({ required: false, description: 'The frame as base64 JPEG; kept by v2 only (for the photo)' })
  image?: string;
}

/** An alert, the same shape as the alerts service's (its stored form, with `id` and `storedAt`, is accepted too). */
export class CreateAlertDto extends IntersectionType(FrameAlertDto, PartialType(AlertRecordFieldsDto)) {}

/** A face as shown: from a push (with box and score) or read through from a section (gender and age only). */
export class FaceViewDto extends PartialType(FaceDto) {}

export class PhotoDto {
  @ApiProperty({ example: '/analysis/1/photo?frame=1%3A1732180000000' }) url: string;
  @ApiProperty({ example: 1280 }) width: number;
  @ApiProperty({ example: 720 }) height: number;
}

export class AnalysisViewDto extends OmitType(FrameRefDto, ['imageSha256']) {
  @PersonCountField() personCount: number | null;
  @NestedArrayField(() => FaceViewDto, 1000) faces: FaceViewDto[];
  @NestedArrayField(() => PersonMatchDto, 1000) matches: PersonMatchDto[];
  @ApiProperty({ description: 'When cpanel got it' }) receivedAt: string;
  @ApiProperty({
    enum: ['collector', 'section'],
    description: 'Pushed by the collector, or read through from the section service',
  })
  source: 'collector' | 'section';
  @ApiProperty({ type: PhotoDto, nullable: true, description: 'v2 only: the frame photo' }) photo: PhotoDto | null;
}

export class LatestAnalysesDto {
  @ApiProperty({ type: [AnalysisViewDto], description: 'The latest analysis of each section, by section' })
  items: AnalysisViewDto[];
}

export class AnalysisAcceptedDto extends PickType(FrameRefDto, ['frameId', 'section']) {
  @ApiProperty({ description: 'false when a newer frame of the section was already shown (this one arrived late)' })
  latest: boolean;
}

export class AlertViewDto extends OmitType(CreateAlertDto, ['imageSha256']) {
  @ApiProperty({ description: 'When cpanel got it' }) receivedAt: string;
  @ApiProperty({ enum: ['collector', 'alerts'] }) source: 'collector' | 'alerts';
}

export class AlertAcceptedDto extends PickType(FrameAlertDto, ['frameId', 'personId']) {
  @ApiProperty({ description: 'false when a newer alert was already shown' }) latest: boolean;
}

export class SectionParamDto {
  @SectionIdField() section: string;
}

export class PhotoQueryDto {
  @FrameIdField({ required: false, description: 'Frame id (only makes the URL unique per frame)' }) frame?: string;
}
