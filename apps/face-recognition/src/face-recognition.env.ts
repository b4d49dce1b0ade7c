import { OPTIMIZATION_LEVELS, type OptimizationLevel } from '@airport-mesh/vision';
import { VisionEnv } from '@airport-mesh/vision/nest';
import { Transform } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';

export class FaceRecognitionEnv extends VisionEnv {
  /** SQLite file of the watch list; default `.data/face-recognition.db`. */
  @IsOptional()
  @IsString()
  DB_PATH?: string;

  /**
   * Cosine similarity at or above which a face is the enrolled person. 0.72 lies in the gap between the
   * lowest same-person similarity (0.746) and the highest different-person one (0.688) measured in
   * libs/vision's recognition test (docs/vision.md).
   */
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsNumber()
  @Min(0)
  @Max(1)
  MATCH_THRESHOLD = 0.72;

  /**
   * 'extended' here (image-analysis keeps 'all'): the pipeline's hot path is `POST /match`, which runs
   * no model; the models run only to enrol or `POST /recognize` a photo, so a slower inference there
   * costs less than the CPU 'all' adds to every start (1.59 → 1.39 CPU s, docs/performance.md, Start-up).
   */
  @IsIn(OPTIMIZATION_LEVELS)
  override VISION_OPTIMIZATION: OptimizationLevel = 'extended';

  /** `default`: enrol the demo persons of interest from the sample photos when the watch list is empty. */
  @IsIn(['default', 'none'])
  WATCHLIST_SEED: 'default' | 'none' = 'default';
}
