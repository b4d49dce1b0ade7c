import { Module } from '@nestjs/common';
import { DashboardEvents } from './dashboard-events.js';

/**
 * The dashboard's live channel (its SSE stream is `GET /events` of the dashboard): one bus for what
 * the live view, the cameras and the health checks change.
 */
@Module({ providers: [DashboardEvents], exports: [DashboardEvents] })
export class DashboardEventsModule {}
