import { Module } from '@nestjs/common';
import { WatchlistModule } from './watchlist/watchlist.module.js';

@Module({ imports: [WatchlistModule] })
export class AppModule {}
