import { BaseEnv } from '@airport-mesh/platform';
import { IsOptional, IsString, Matches } from 'class-validator';
import { SECTION_ID_PATTERN } from '@airport-mesh/contracts';

export class SectionEnv extends BaseEnv {
  /** Which section this process stores (the seeds run section 1 and section 2). */
  @Matches(SECTION_ID_PATTERN, { message: 'SECTION_ID must be a short id such as 1 or 2' })
  SECTION_ID = '1';

  /** SQLite file; default `.data/section-<id>.db` under the working directory. */
  @IsOptional()
  @IsString()
  DB_PATH?: string;
}
