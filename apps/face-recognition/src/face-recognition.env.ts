import { BaseEnv, toInt } from '@airport-mesh/platform';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';

export class FaceRecognitionEnv extends BaseEnv {
  @IsOptional() @IsString()
  MODELS_DIR?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  VISION_THREADS = 1;

  @Transform(toInt) @IsInt() @Min(64 * 64) @Max(100_000_000)
  MAX_IMAGE_PIXELS = 25_000_000;

  /** SQLite file of the watch list; default `.data/face-recognition.db`. */
  @IsOptional() @IsString()
  DB_PATH?: string;

  /**
   * Cosine similarity at or above which a face is the enrolled person. 0.72 lies in the gap between the
   * lowest same-person similarity (0.746) and the highest different-person one (0.688) measured in
   * libs/vision's recognition test (docs/vision.md).
   */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value))) @IsNumber() @Min(0) @Max(1)
  MATCH_THRESHOLD = 0.72;

  /** `default`: enrol the demo persons of interest from the sample photos when the watch list is empty. */
  @IsIn(['default', 'none'])
  WATCHLIST_SEED: 'default' | 'none' = 'default';
}
