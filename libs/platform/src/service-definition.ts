import type { Type } from '@nestjs/common';
import type { InFlightLimit } from './admission/in-flight.js';
import type { BaseEnv } from './config/base-env.js';

/** Everything the platform needs to know to boot an app. Each app exports one from `src/service.ts`. */
export interface ServiceDefinition<E extends BaseEnv = BaseEnv> {
  /** Machine name, e.g. `collector` or `section-1` (metrics label, logs, trace service name). */
  id: (env: E) => string;
  /** Name in the status line, e.g. `Collector` or `Section 1`. */
  displayName: (env: E) => string;
  /** One paragraph for the OpenAPI document. */
  description: string;
  /** Local port when `PORT` is unset (ARCHITECTURE.md). */
  defaultPort: number;
  envClass: new () => E;
  /** The app's root feature module. */
  module: Type<unknown>;
  /** Content types accepted as a raw Buffer body (e.g. `image/jpeg`). */
  rawBodyContentTypes?: string[];
  /** Routes with a bound on the requests handled at once; the next one is refused before its body is parsed. */
  admission?: (env: E) => InFlightLimit[];
}
