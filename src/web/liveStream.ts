/**
 * Live updates for open pages as server-sent events: `point` (a new series point for the charts),
 * `values` (the live columns of entities read since the previous push), and `optimization` (the
 * loop's history or audit changed: refetch that view). Works through the ingress proxy, which passes
 * a streamed response through. Timers come from the injected clock and run only while pages listen.
 */
import type { ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { LIVE_COLUMNS, liveRows } from './entitiesView.js';
import { optimizationVersion } from './optimizationView.js';
import type { DashboardSource } from './overviewView.js';
import type { SeriesPoint } from '../telemetry/series.js';

export interface LiveStreamDeps {
  clock: Clock;
  logger: Logger;
  source: DashboardSource;
  pushEveryMs: number;
}

/** With no other event for this long a comment line keeps proxies from closing the stream. */
const KEEPALIVE_MS = 15_000;

export class LiveStream {
  private readonly clients = new Set<ServerResponse>();
  private timer: TimerHandle | undefined;
  private lastPushAt = 0;
  private lastSentAt = 0;
  private version = '';

  constructor(private readonly deps: LiveStreamDeps) {}

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive', 'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    if (this.timer === undefined) {
      this.lastPushAt = this.deps.clock.now();
      this.version = optimizationVersion(this.deps.source);
      this.arm();
    }
  }

  /** A new series point: sent at once. */
  point(p: SeriesPoint): void {
    this.send('point', { t: p.at / 1000, buses: p.buses });
  }

  stop(): void {
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private push(): void {
    const now = this.deps.clock.now();
    const rows = liveRows(this.deps.source, this.lastPushAt);
    this.lastPushAt = now;
    if (rows.length > 0) this.send('values', { at: now, columns: LIVE_COLUMNS, rows });
    const version = optimizationVersion(this.deps.source);
    if (version !== this.version) {
      this.version = version;
      this.send('optimization', { version });
    }
    if (now - this.lastSentAt >= KEEPALIVE_MS) this.write(': keep-alive\n\n');
  }

  private send(event: string, data: unknown): void {
    if (this.clients.size === 0) return;
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private write(text: string): void {
    this.lastSentAt = this.deps.clock.now();
    for (const res of this.clients) res.write(text);
  }

  private arm(): void {
    this.timer = this.deps.clock.setTimer(() => {
      if (this.clients.size === 0) {
        this.timer = undefined;
        return;
      }
      try {
        this.push();
      } catch (err) {
        this.deps.logger.error(`Dashboard live update failed: ${describeError(err)}`);
      }
      this.arm();
    }, this.deps.pushEveryMs);
  }
}
