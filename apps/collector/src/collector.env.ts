import { BaseEnv } from '@airport-mesh/platform';
import { IsString } from 'class-validator';

export class CollectorEnv extends BaseEnv {
  /** Where each section's service is: `1=http://127.0.0.1:8085,2=http://127.0.0.1:8086`. */
  @IsString()
  SECTION_URLS = '1=http://127.0.0.1:8085,2=http://127.0.0.1:8086';
}
