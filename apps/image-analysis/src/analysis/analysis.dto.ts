import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { FaceAttributesDto, FaceDetectionDto, ImageRequestDto } from '@airport-mesh/contracts';

/** A face found in the image: box, score and attributes (the shared vocabulary), and its descriptor on request. */
export class FaceAnalysisDto extends IntersectionType(FaceDetectionDto, FaceAttributesDto) {
  @ApiPropertyOptional({
    description:
      'Only with ?descriptors=true: the L2-normalised 1024-d face descriptor, base64 of 1024 little-endian float32',
    format: 'byte',
  })
  descriptor?: string;
}

export class TimingsDto {
  @ApiProperty() decodeMs: number;
  @ApiProperty() detectMs: number;
  @ApiProperty() attributesMs: number;
}

export class AnalysisDto {
  @ApiProperty({ description: 'People in the frame (faces found)' }) personCount: number;
  @ApiProperty({ type: [FaceAnalysisDto] }) faces: FaceAnalysisDto[];
  @ApiProperty() width: number;
  @ApiProperty() height: number;
  @ApiProperty({ type: TimingsDto }) timings: TimingsDto;
}

export { ImageRequestDto };

export class AnalyzeQueryDto {
  @ApiPropertyOptional({
    description: "Also return each face's descriptor, so face recognition can match it without running the model again",
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  descriptors?: boolean;
}
