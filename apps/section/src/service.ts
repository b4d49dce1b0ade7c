import type { ServiceDefinition } from '@airport-mesh/platform';
import { AppModule } from './app.module.js';
import { SectionEnv } from './section.env.js';

export const sectionService: ServiceDefinition<SectionEnv> = {
  id: (env) => `section-${env.SECTION_ID}`,
  displayName: (env) => `Section ${env.SECTION_ID}`,
  description:
    'Stores the statistics of every analysed camera frame of one airport section, exactly once per frame id, ' +
    'and serves its occupancy (people who entered minus people who left), gender split and age histogram.',
  defaultPort: 8085,
  envClass: SectionEnv,
  module: AppModule,
};
