import { ApiProperty } from '@nestjs/swagger';
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
