import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

/** One live update of the dashboard, sent as an SSE event named `type`. */
export interface DashboardEvent {
  type: 'analysis' | 'summary' | 'alert' | 'camera' | 'cameras' | 'health';
  data: unknown;
}

/**
 * The bus between what changes the view (pushes from the collector, read-through, camera actions,
 * health checks) and the SSE streams of open dashboards. Completed before the HTTP server closes, so
 * open streams end and graceful shutdown is not held up by them.
 */
@Injectable()
export class DashboardEvents implements OnModuleDestroy {
  private readonly subject = new Subject<DashboardEvent>();
  /** Emits once when the app shuts down: every open stream ends then. */
  readonly closing = new Subject<void>();
  private listeners = 0;

  emit(event: DashboardEvent): void {
    this.subject.next(event);
  }

  /** Whether any dashboard is open (background work for dashboards only runs then). */
  get watched(): boolean {
    return this.listeners > 0;
  }

  stream(): Observable<DashboardEvent> {
    return new Observable<DashboardEvent>((subscriber) => {
      this.listeners += 1;
      const subscription = this.subject.subscribe(subscriber);
      return () => {
        this.listeners -= 1;
        subscription.unsubscribe();
      };
    });
  }

  get count(): number {
    return this.listeners;
  }

  onModuleDestroy(): void {
    this.closing.next();
    this.closing.complete();
    this.subject.complete();
  }
}
