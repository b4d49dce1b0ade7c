import { BaseEnv, toInt } from '@airport-mesh/platform';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { CAMERA_EVENTS, CAMERA_ID_PATTERN, type CameraEvent, SECTION_ID_PATTERN } from '@airport-mesh/contracts';

const toNumber = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes'].includes(value.toLowerCase()) : value;

export class CameraEnv extends BaseEnv {
  @Matches(CAMERA_ID_PATTERN, { message: 'CAMERA_ID must be a short id such as 1' })
  CAMERA_ID = '1';

  @Matches(SECTION_ID_PATTERN, { message: 'CAMERA_SECTION must be a section id such as 1' })
  CAMERA_SECTION = '1';

  @IsIn(CAMERA_EVENTS)
  CAMERA_EVENT: CameraEvent = 'exit';

  /** Frames per second while streaming. */
  @Transform(toNumber)
  @IsNumber()
  @Min(0.1)
  @Max(60)
  CAMERA_FPS = 2;

  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  COLLECTOR_URL = 'http://127.0.0.1:8081';

  /**
   * Where `POST /stream` may send frames besides COLLECTOR_URL (comma-separated base URLs): the
   * allow-list that keeps a request from naming a new host, port or path (docs/security.md).
   */
  @IsOptional()
  @Matches(/^(https?:\/\/[^\s,]+)(,https?:\/\/[^\s,]+)*$/, {
    message: 'CAMERA_DESTINATIONS must be comma-separated http(s) base URLs',
  })
  CAMERA_DESTINATIONS?: string;

  /** A folder of JPEG files to stream instead of the built-in sample photos. */
  @IsOptional()
  @IsString()
  FRAME_SOURCE?: string;

  @Transform(toInt)
  @IsInt()
  @Min(64)
  @Max(4096)
  FRAME_WIDTH = 1280;

  @Transform(toInt)
  @IsInt()
  @Min(64)
  @Max(4096)
  FRAME_HEIGHT = 720;

  /** Start streaming as soon as the process is ready. */
  @Transform(toBool)
  @IsBoolean()
  CAMERA_AUTOSTART = false;

  /**
   * Times a frame the collector did not acknowledge is sent again (same frame id) before it counts as
   * failed. Off by default: re-sending is the job of the resilience layer (RESILIENCE=client, or the
   * mesh), and app-level retries on top would multiply attempts (docs/resilience.md).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  CAMERA_RETRIES = 0;
}
