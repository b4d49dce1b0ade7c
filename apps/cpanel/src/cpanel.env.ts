import { BaseEnv, toInt } from '@airport-mesh/platform';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { CamerasFileError, DEFAULT_CAMERAS_FILE, loadCamerasFile } from './cameras/cameras-file.js';

/** The cameras file is configuration: an unreadable or invalid one stops the process at boot, with every problem named. */
function IsValidCamerasFile(options?: ValidationOptions): PropertyDecorator {
  const problems = (file: unknown, env: object) => {
    try {
      loadCamerasFile(String(file), (env as CPanelEnv).CAMERA_URLS);
      return null;
    } catch (error) {
      return error instanceof CamerasFileError ? error.problems.join('; ') : String(error);
    }
  };
  return ValidateBy(
    {
      name: 'isValidCamerasFile',
      validator: {
        validate: (value, args) => problems(value, args!.object) === null,
        defaultMessage: (args) => `cameras file invalid: ${problems(args!.value, args!.object)}`,
      },
    },
    options,
  );
}

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

export class CPanelEnv extends BaseEnv {
  /** The cameras file of the seeds; default: `apps/cpanel/cameras.local.json` (the local stack's cameras). */
  @IsString()
  @IsValidCamerasFile()
  CAMERAS_FILE = DEFAULT_CAMERAS_FILE;

  /** Overrides the `url` of cameras of the file by id: `1=http://camera-agent-1:8080,2=…`. */
  @IsOptional()
  @IsString()
  CAMERA_URLS?: string;

  @IsUrl(URL_OPTIONS, { message: 'COLLECTOR_URL must be an http(s) URL' })
  COLLECTOR_URL = 'http://127.0.0.1:8081';

  /** One section service per section: `1=http://127.0.0.1:8085,2=http://127.0.0.1:8086`. */
  @IsString()
  SECTION_URLS = '1=http://127.0.0.1:8085,2=http://127.0.0.1:8086';

  @IsUrl(URL_OPTIONS, { message: 'ALERTS_URL must be an http(s) URL' })
  ALERTS_URL = 'http://127.0.0.1:8084';

  @IsUrl(URL_OPTIONS, { message: 'IMAGE_ANALYSIS_URL must be an http(s) URL' })
  IMAGE_ANALYSIS_URL = 'http://127.0.0.1:8082';

  @IsUrl(URL_OPTIONS, { message: 'FACE_RECOGNITION_URL must be an http(s) URL' })
  FACE_RECOGNITION_URL = 'http://127.0.0.1:8083';

  /** Deadline of each call of GET /health/all and of the read-through calls, so one dead service never hangs them. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  UPSTREAM_TIMEOUT_MS = 1500;

  /** How often the view is read through from the section and alerts services and the cameras (0: never). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  REFRESH_INTERVAL_MS = 5000;

  /** Open dashboards (`GET /events` streams) at once; one more gets 503. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  SSE_MAX_CONNECTIONS = 100;
}
