import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';

export const DELAY_DISTRIBUTIONS = ['fixed', 'uniform', 'normal'] as const;
export type DelayDistribution = (typeof DELAY_DISTRIBUTIONS)[number];

/**
 * Body of `PUT /chaos`: the faults this replica injects from now on. It replaces the previous setting
 * as a whole; an omitted field takes its default (so `{}` means no faults).
 */
export class ChaosSettingsDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    default: 0,
    example: 0.3,
    description: 'Fraction of affected requests answered with `errorStatus` instead of being served',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  errorRate?: number;

  @ApiPropertyOptional({
    minimum: 400,
    maximum: 599,
    default: 503,
    description: 'Status of an injected error (a problem+json body of type urn:airport-mesh:chaos)',
  })
  @IsOptional()
  @IsInt()
  @Min(400)
  @Max(599)
  errorStatus?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 120000,
    default: 0,
    example: 200,
    description: 'Added delay (the mean for `normal`, the centre for `uniform`), milliseconds',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120_000)
  delayMs?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 120000,
    default: 0,
    example: 50,
    description: 'Spread of the delay: ± this for `uniform`, the standard deviation for `normal`; 0 for `fixed`',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120_000)
  delayJitterMs?: number;

  @ApiPropertyOptional({
    enum: DELAY_DISTRIBUTIONS,
    description:
      'Delay distribution; default `fixed` when delayJitterMs is 0, else `uniform`. Delays are clamped at 0.',
  })
  @IsOptional()
  @IsIn(DELAY_DISTRIBUTIONS)
  delayDistribution?: DelayDistribution;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    default: 1,
    description: 'Fraction of affected requests that get the delay (when delayMs or delayJitterMs is set)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  delayRate?: number;

  @ApiPropertyOptional({
    default: false,
    description: 'When true, GET /health/ready answers 503 (the replica leaves the load balancer)',
  })
  @IsOptional()
  @IsBoolean()
  unready?: boolean;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 4294967295,
    example: 42,
    description:
      'Seed of the fault sequence; the same seed and request order give the same faults. Random (and reported) when omitted',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(4_294_967_295)
  seed?: number;

  @ApiPropertyOptional({
    type: [String],
    example: ['/statistics'],
    description:
      'Affected routes: a route template (`/cameras/:id/start`), a path (`/cameras/1/start`) or a prefix ending in `*`. ' +
      'Default: every route except the platform control surface (/chaos, /metrics, /health/*, /docs, /openapi.*), which is never affected; /status is affected',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(/^\/\S*$/, { each: true, message: 'each route must start with / and contain no spaces' })
  routes?: string[];
}

export class ChaosInjectedDto {
  @ApiProperty({ description: 'Requests the faults applied to since the last PUT/DELETE' })
  considered!: number;

  @ApiProperty({ description: 'Injected errors since the last PUT/DELETE' })
  errors!: number;

  @ApiProperty({ description: 'Injected delays since the last PUT/DELETE' })
  delays!: number;
}

/** What `GET/PUT/DELETE /chaos` answer: this replica's faults now. */
export class ChaosStateDto {
  @ApiProperty({ description: 'True when any fault is set' })
  active!: boolean;

  @ApiProperty() errorRate!: number;
  @ApiProperty() errorStatus!: number;
  @ApiProperty() delayMs!: number;
  @ApiProperty() delayJitterMs!: number;
  @ApiProperty({ enum: DELAY_DISTRIBUTIONS }) delayDistribution!: DelayDistribution;
  @ApiProperty() delayRate!: number;
  @ApiProperty() unready!: boolean;

  @ApiProperty({ description: 'Seed in use: PUT it back to repeat this run' })
  seed!: number;

  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'Affected routes; null = the default (every route but the control surface)',
  })
  routes!: string[] | null;

  @ApiProperty({ description: 'When this setting was made (ISO 8601)' })
  since!: string;

  @ApiProperty({ type: ChaosInjectedDto })
  injected!: ChaosInjectedDto;
}
