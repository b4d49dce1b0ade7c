import { BaseEnv, toInt } from '@airport-mesh/platform';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export class ImageAnalysisEnv extends BaseEnv {
  /** Folder with blazeface.onnx and faceres.onnx (default: the repo's tools/model-build/dist/models). */
  @IsOptional() @IsString()
  MODELS_DIR?: string;

  /** onnxruntime intra-op threads per model. */
  @Transform(toInt) @IsInt() @Min(1) @Max(64)
  VISION_THREADS = 1;

  /** Images with more pixels are refused (413) before decoding. */
  @Transform(toInt) @IsInt() @Min(64 * 64) @Max(100_000_000)
  MAX_IMAGE_PIXELS = 25_000_000;
}
