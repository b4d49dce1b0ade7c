import { ApiProperty, PickType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBase64, Length } from 'class-validator';
import {
  BoxDto,
  ImageRequestDto,
  NestedArrayField,
  NestedField,
  PersonMatchDto,
  PersonNameField,
} from '@airport-mesh/contracts';

export { ImageRequestDto };

export class EnrolPersonDto {
  @PersonNameField() name: string;

  @ApiProperty({
    type: [String],
    format: 'byte',
    description: 'One or more photos (base64 JPEG or PNG), each showing exactly one face',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsBase64(undefined, { each: true })
  images: string[];
}

export class PersonDto extends PickType(PersonMatchDto, ['name']) {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Face descriptors enrolled (one per photo)' }) descriptors: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ description: 'URL of a face thumbnail (JPEG)' }) thumbnailUrl: string;
}

export class RecognitionDto {
  @ApiProperty({ description: 'Faces found in the image' }) faces: number;
  @ApiProperty({ type: [PersonMatchDto], description: 'Faces matched to a person of interest, best first' })
  matches: PersonMatchDto[];
  @ApiProperty({ description: 'Similarity threshold in force' }) threshold: number;
}

export class FaceDescriptorDto {
  @NestedField(() => BoxDto, { description: 'The face in the frame (from image-analysis)' }) box: BoxDto;

  @ApiProperty({
    description: 'The face descriptor from image-analysis: base64 of 1024 little-endian float32 (5464 characters)',
    format: 'byte',
  })
  @IsBase64()
  @Length(5464, 5464, { message: 'descriptor must be base64 of 1024 float32 (5464 characters)' })
  descriptor: string;
}

export class MatchRequestDto {
  @NestedArrayField(() => FaceDescriptorDto, 256) faces: FaceDescriptorDto[];
}
