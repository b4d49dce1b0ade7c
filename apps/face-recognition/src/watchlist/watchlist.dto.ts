import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBase64,
  IsNumber,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

export class BoxDto {
  @ApiProperty() x: number;
  @ApiProperty() y: number;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
}

export class EnrolPersonDto {
  @ApiProperty({ example: 'PersonX', description: 'Name shown in alerts' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/^[^\u0000-\u001f<>]+$/, { message: 'name must be printable text without < or >' })
  name: string;

  @ApiProperty({
    type: [String],
    format: 'byte',
    description: 'One or more photos (base64 JPEG/PNG/WebP), each showing exactly one face',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsBase64(undefined, { each: true })
  images: string[];
}

export class PersonDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Face descriptors enrolled (one per photo)' }) descriptors: number;
  @ApiProperty() createdAt: string;
  @ApiProperty({ description: 'URL of a face thumbnail (JPEG)' }) thumbnailUrl: string;
}

export class MatchDto {
  @ApiProperty({ format: 'uuid' }) personId: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Cosine similarity of the best enrolled descriptor, 0..1' }) similarity: number;
  @ApiProperty({ type: BoxDto }) box: BoxDto;
}

export class RecognitionDto {
  @ApiProperty({ description: 'Faces found in the image' }) faces: number;
  @ApiProperty({ type: [MatchDto], description: 'Faces matched to a person of interest, best first' })
  matches: MatchDto[];
  @ApiProperty({ description: 'Similarity threshold in force' }) threshold: number;
}

export class ImageRequestDto {
  @ApiProperty({ description: 'The image (JPEG, PNG or WebP), base64-encoded', format: 'byte' })
  image: string;
}

export class BoxInputDto {
  @ApiProperty() @IsNumber() @Min(0) x: number;
  @ApiProperty() @IsNumber() @Min(0) y: number;
  @ApiProperty() @IsNumber() @Min(0) width: number;
  @ApiProperty() @IsNumber() @Min(0) height: number;
}

export class FaceDescriptorDto {
  @ApiProperty({ type: BoxInputDto })
  @ValidateNested()
  @Type(() => BoxInputDto)
  box: BoxInputDto;

  @ApiProperty({
    description: 'The face descriptor from image-analysis: base64 of 1024 little-endian float32 (5464 characters)',
    format: 'byte',
  })
  @IsBase64()
  @Length(5464, 5464, { message: 'descriptor must be base64 of 1024 float32 (5464 characters)' })
  descriptor: string;
}

export class MatchRequestDto {
  @ApiProperty({ type: [FaceDescriptorDto] })
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => FaceDescriptorDto)
  faces: FaceDescriptorDto[];
}
