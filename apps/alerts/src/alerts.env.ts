import { BaseEnv, toInt } from '@airport-mesh/platform';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';

export class AlertsEnv extends BaseEnv {
  /** SQLite file; default `.data/alerts.db` under the working directory. */
  @IsOptional()
  @IsString()
  DB_PATH?: string;

  /** Where each new alert is POSTed as JSON after it is stored (the egress demo); no webhook when unset. */
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'ALERT_WEBHOOK_URL must be an http(s) URL' },
  )
  ALERT_WEBHOOK_URL?: string;

  /** Whole-call deadline of one webhook delivery (connect, headers and body). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(120_000)
  ALERT_WEBHOOK_TIMEOUT_MS = 2000;

  /** Webhook deliveries in flight at once; further alerts wait in a queue. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  ALERT_WEBHOOK_CONCURRENCY = 8;

  /** Deliveries waiting beyond this are dropped (counted and logged; the alerts themselves are stored). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  ALERT_WEBHOOK_QUEUE = 1000;
}
