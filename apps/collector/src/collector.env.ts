import { BaseEnv, toInt } from '@airport-mesh/platform';
import { Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

const url = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** With the adaptive door on, its least may not exceed its most (FRAMES_MAX_IN_FLIGHT). */
@ValidatorConstraint({ name: 'atMostMaxInFlight' })
class AtMostMaxInFlight implements ValidatorConstraintInterface {
  validate(value: number, args: ValidationArguments): boolean {
    const env = args.object as CollectorEnv;
    return !env.FRAMES_TARGET_LATENCY_MS || value <= env.FRAMES_MAX_IN_FLIGHT;
  }
  defaultMessage(): string {
    return 'must not exceed FRAMES_MAX_IN_FLIGHT when FRAMES_TARGET_LATENCY_MS is set';
  }
}

export class CollectorEnv extends BaseEnv {
  /** Where each section's service is: `1=http://127.0.0.1:8085,2=http://127.0.0.1:8086`. */
  @IsString()
  SECTION_URLS = '1=http://127.0.0.1:8085,2=http://127.0.0.1:8086';

  /** image-analysis service; frames are stored unanalysed when unset. */
  @IsOptional()
  @IsUrl(url)
  IMAGE_ANALYSIS_URL?: string;

  /** face-recognition service; no alerts are raised when unset. */
  @IsOptional()
  @IsUrl(url)
  FACE_RECOGNITION_URL?: string;

  /** alerts service; persons of interest are recognised but not alerted when unset. */
  @IsOptional()
  @IsUrl(url)
  ALERTS_URL?: string;

  /** The control panel the latest analysis and alerts are pushed to. */
  @IsOptional()
  @IsUrl(url)
  CPANEL_URL?: string;

  /** Several control panels (e.g. v1 and v2 locally), comma-separated; takes precedence over CPANEL_URL. */
  @IsOptional()
  @IsString()
  CPANEL_URLS?: string;

  /**
   * Analyses are pushed to each panel at most this often per section (the newest one waiting wins);
   * 0 pushes every frame. Alerts are always pushed.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  CPANEL_PUSH_INTERVAL_MS = 200;

  /**
   * Frames handled at once; one more is refused at the door with 503 and Retry-After before its JSON is
   * parsed. The default only bounds the backlog; to keep latency under overload, size it to what the
   * pipeline stores per second × the mean latency you accept (Little's law; the lab's overload experiment
   * uses its calibrated rate × 0.3 s, 5 at 16 frames/s: docs/performance.md, round 7). A frame waiting for
   * a slow dependency holds its place too, so a tight bound also refuses frames while a dependency is slow.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  FRAMES_MAX_IN_FLIGHT = 32;

  /**
   * When set (ms), the door adapts: the number of frames handled at once follows the median latency the
   * admitted frames get, between FRAMES_MIN_IN_FLIGHT and FRAMES_MAX_IN_FLIGHT. It is cut when a window of
   * answers was slower than this, and grows while the door was full and the answers were fast, so bursts
   * at the sustainable rate pass and sustained overload is refused (docs/performance.md, round 9). A slow
   * dependency also brings it down, and so does a failing one: a 5xx answer counts as slower than the
   * target (round 12). 0: a fixed door of FRAMES_MAX_IN_FLIGHT.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  FRAMES_TARGET_LATENCY_MS = 0;

  /** The least frames the adaptive door lets in at once (at most FRAMES_MAX_IN_FLIGHT). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  @Validate(AtMostMaxInFlight)
  FRAMES_MIN_IN_FLIGHT = 2;
}
