/**
 * What the console says while the app polls, written for a person watching it: once, after every
 * entity was read (or failed) for the first time, a summary (entities, requests per full cycle,
 * illegal-address ranges learned, at most a few failures by name); then per bus and interval one
 * compact line (requests/min, bus time, errors, mean staleness, what the optimizer did last). Values
 * go to debug: 117 values every 10 s are a wall of text nobody reads.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { EventBus } from '../core/eventBus.js';
import type { Logger } from '../core/logger.js';
import type { HoleRange } from '../modbus/holes.js';
import { HoleSet } from '../modbus/holes.js';
import type { BusDelta, EntityStatus, PollerEvents, PollerView } from '../modbus/pollerTypes.js';
import { planConnectionReads } from '../modbus/readPlan.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../modbus/types.js';
import type { BusWindows } from './busWindows.js';

/** Failures named one by one in the first-poll summary; the rest are counted. */
const FAILURES_NAMED = 5;

export interface ConsoleStatusDeps {
  clock: Clock;
  logger: Logger;
  entities: readonly EntityDef[];
  connections: readonly ConnectionDef[];
  poller: Pick<PollerView, 'allEntityStatus'> & { holeList(): Array<HoleRange & { bus: string }> };
  busWindows: Pick<BusWindows, 'open'>;
  /** Mean staleness estimate (ms) of a bus's entities; undefined until one has an estimate. */
  stalenessMs: (entities: readonly EntityStatus[]) => number | undefined;
  /** The optimizer's latest audit record (undefined without an optimizer or before its first change). */
  lastOptimizerAction?: () => { at: number; what: string } | undefined;
  /** How often the per-bus lines are logged (0 = never; default 60 s). */
  statusEveryMs?: number;
}

type FirstPollDeps = Pick<ConsoleStatusDeps, 'logger' | 'entities' | 'connections' | 'poller'>;

/** Logs the first-poll summary once every entity has been read or has failed. */
export function reportFirstPoll(deps: FirstPollDeps, events: Pick<EventBus<PollerEvents>, 'on' | 'removeOwner'>): void {
  const ok = new Map<string, string>();
  const failed = new Map<string, string>();
  const check = () => {
    if (ok.size + failed.size < deps.entities.length) return;
    events.removeOwner('first-poll');
    deps.logger.info(firstPollSummary(deps, ok.size, failed));
    deps.logger.debug(`First values: ${[...ok].map(([id, v]) => `${id}=${v}`).join(', ')}`);
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

function firstPollSummary(deps: FirstPollDeps, read: number, failed: ReadonlyMap<string, string>): string {
  const holes = deps.poller.holeList();
  const requests = deps.connections.reduce((n, conn) => {
    const key = busKeyOf(conn);
    return n + planConnectionReads(conn, deps.entities, HoleSet.fromList(holes.filter((h) => h.bus === key))).blocks.length;
  }, 0);
  const named = [...failed].slice(0, FAILURES_NAMED).map(([id, error]) => `${id} (${error})`);
  const more = failed.size > FAILURES_NAMED ? `, and ${failed.size - FAILURES_NAMED} more` : '';
  return `First poll complete: ${read} read, ${failed.size} failed; ${requests} requests per full cycle, ` +
    `${holes.length} illegal-address ranges learned${named.length ? `; failed: ${named.join(', ')}${more}` : ''}`;
}

/** One line per bus and interval, and at debug every entity's current value. */
export function consoleStatus(deps: ConsoleStatusDeps): { start(): void; stop(): void } {
  const every = deps.statusEveryMs ?? 60_000;
  const units = new Map(deps.entities.map((e) => [e.id, e.unitOfMeasurement]));
  const window = deps.busWindows.open();
  let timer: TimerHandle | undefined;
  const tick = () => {
    const now = deps.clock.now();
    const entities = deps.poller.allEntityStatus();
    const action = describeAction(deps.lastOptimizerAction?.(), now);
    for (const delta of window.advance()?.buses ?? []) {
      const staleness = deps.stalenessMs(entities.filter((e) => e.bus === delta.key));
      deps.logger.info(formatBusLine(delta, staleness, action));
    }
    deps.logger.debug(`values: ${formatValues(entities, units)}`);
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

export function formatBusLine(d: BusDelta, stalenessMs: number | undefined, optimizerAction: string | undefined): string {
  const overruns = d.overruns > 0 ? `, ${d.overruns} overruns` : '';
  const staleness = stalenessMs === undefined ? '' : `, staleness ${(stalenessMs / 1000).toFixed(1)} s`;
  return `bus ${d.key}: ${d.requestsPerMin.toFixed(1)} req/min, bus ${(d.utilisation * 100).toFixed(1)}%, ` +
    `${d.errors} errors${overruns}${staleness}${optimizerAction === undefined ? '' : `; optimizer: ${optimizerAction}`}`;
}

const ACTION_SHOWN = 80;

function describeAction(action: { at: number; what: string } | undefined, now: number): string | undefined {
  if (!action) return undefined;
  const what = action.what.length > ACTION_SHOWN ? `${action.what.slice(0, ACTION_SHOWN - 1)}…` : action.what;
  const minutes = Math.round((now - action.at) / 60_000);
  return `${what} (${minutes < 1 ? 'just now' : `${minutes} min ago`})`;
}

export function formatValues(stats: readonly EntityStatus[], units: ReadonlyMap<string, string | undefined>): string {
  return stats
    .map((s) => {
      const unit = units.get(s.id);
      const value = s.lastValue === undefined ? '?' : s.illegalAddress ? 'illegal address' : String(s.lastValue);
      return `${s.id}=${value}${unit && s.lastValue !== undefined ? ` ${unit}` : ''}`;
    })
    .join(', ');
}
