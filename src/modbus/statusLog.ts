/**
 * Log lines a person reads to see the poller work: one line when every entity has been read (or
 * failed) for the first time, and periodic per-bus rates with every entity's current value.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { EventBus } from '../core/eventBus.js';
import type { Logger } from '../core/logger.js';
import type { Poller } from './poller.js';
import type { BusStats, PollerEvents } from './pollerTypes.js';
import { busDelta, formatBusDelta, formatValues } from './statusReport.js';
import type { EntityDef } from './types.js';

export interface StatusLogDeps {
  clock: Clock;
  logger: Logger;
  entities: readonly EntityDef[];
  /** How often per-bus statistics and values are logged (0 = never; default 60 s). */
  statusEveryMs?: number;
}

/** One line once every entity has been read (or failed) for the first time, with its values. */
export function reportFirstPoll(deps: StatusLogDeps, events: Pick<EventBus<PollerEvents>, 'on' | 'removeOwner'>): void {
  const ok = new Map<string, string>();
  const failed = new Map<string, string>();
  const check = () => {
    if (ok.size + failed.size < deps.entities.length) return;
    events.removeOwner('first-poll');
    const values = [...ok].map(([id, v]) => `${id}=${v}`).join(', ');
    deps.logger.info(`First poll complete: ${ok.size} read, ${failed.size} failed; ${values}`);
    for (const [id, error] of failed) deps.logger.warn(`${id}: ${error}`);
  };
  events.on('first-poll', 'sample', (s) => {
    if (!ok.has(s.entityId) && !failed.has(s.entityId)) ok.set(s.entityId, String(s.value));
    check();
  });
  events.on('first-poll', 'readError', (f) => {
    if (!ok.has(f.entityId) && !failed.has(f.entityId)) failed.set(f.entityId, f.error.message);
    check();
  });
}

/** Periodic status lines: per-bus rates since the last line, and every entity's current value. */
export function statusLogger(deps: StatusLogDeps, poller: Poller): { start(): void; stop(): void } {
  const every = deps.statusEveryMs ?? 60_000;
  const units = new Map(deps.entities.map((e) => [e.id, e.unitOfMeasurement]));
  let timer: TimerHandle | undefined;
  let previous = new Map<string, BusStats>();
  let previousAt = deps.clock.now();
  const tick = () => {
    const now = deps.clock.now();
    for (const stats of poller.busStats()) {
      deps.logger.info(formatBusDelta(busDelta(previous.get(stats.key), stats, previousAt, now)));
    }
    deps.logger.info(`values: ${formatValues(poller.allEntityStats(), units)}`);
    previous = new Map(poller.busStats().map((s) => [s.key, s]));
    previousAt = now;
    timer = deps.clock.setTimer(tick, every);
  };
  return {
    start() {
      if (every > 0) timer = deps.clock.setTimer(tick, every);
    },
    stop() {
      deps.clock.clearTimer(timer);
    },
  };
}
