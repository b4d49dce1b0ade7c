import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { GENDERS, type Gender } from '@airport-mesh/contracts';

export class BoxDto {
  @ApiProperty() x: number;
  @ApiProperty() y: number;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
}

export class FaceAnalysisDto {
  @ApiProperty({ type: BoxDto, description: 'Face box in pixels of the submitted image' }) box: BoxDto;
  @ApiProperty({ description: 'Detector confidence, 0..1' }) score: number;
  @ApiProperty({ enum: GENDERS }) gender: Gender;
  @ApiProperty({ description: 'Probability of the reported gender, 0.5..1' }) genderScore: number;
  @ApiProperty({ description: 'Estimated age in years' }) age: number;
  @ApiProperty({ example: '38-43', description: 'Inter-quartile range of the age estimate' }) ageRange: string;
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

export class ImageRequestDto {
  @ApiProperty({ description: 'The image (JPEG, PNG or WebP), base64-encoded', format: 'byte' })
  image: string;
}

export class AnalyzeQueryDto {
  @ApiPropertyOptional({
    description: "Also return each face's descriptor, so face recognition can match it without running the model again",
  })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  descriptors?: boolean;
}
