import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { resolve } from 'node:path';
import { VisionProvider } from '@airport-mesh/vision/nest';
import type { FaceRecognitionEnv } from '../face-recognition.env.js';
import { PersonsRepository } from './persons.repository.js';
import { WatchlistController } from './watchlist.controller.js';
import { WatchlistService } from './watchlist.service.js';

@Module({
  controllers: [WatchlistController],
  providers: [
    VisionProvider,
    {
      provide: PersonsRepository,
      inject: [ConfigService],
      useFactory: (config: ConfigService<FaceRecognitionEnv, true>) =>
        new PersonsRepository(resolve(config.get('DB_PATH', { infer: true }) ?? '.data/face-recognition.db')),
    },
    WatchlistService,
  ],
})
export class WatchlistModule {}
