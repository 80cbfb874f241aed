/**
 * What the poller keeps per physical bus — its due-time heap, the holes and read sizes learned on it,
 * its figures and the clients' spans waiting for the next cycle — and the two things a lane does for
 * the block reader: count every request sent into the bus's figures, and say (log and event) when a
 * read teaches it a hole or a read limit. The lessons are listed and restored per bus for the store.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { EventBus } from '../core/eventBus.js';
import type { Logger } from '../core/logger.js';
import { MinHeap } from '../core/minHeap.js';
import type { BlockReadContext } from './blockReader.js';
import type { ClientSpan } from './clientReads.js';
import type { EntityRuntime } from './entityRuntime.js';
import { HoleSet, type HoleRange } from './holes.js';
import type { BusStatus, PollerEvents } from './pollerTypes.js';
import { ReadSizes, type ReadSizeRecord } from './readSizes.js';
import type { Bus } from './transport.js';

export interface BusLane {
  key: string;
  bus: Bus;
  holes: HoleSet;
  sizes: ReadSizes;
  heap: MinHeap<{ rt: EntityRuntime; version: number }>;
  timer: TimerHandle | undefined;
  running: Promise<void> | undefined;
  status: BusStatus;
  /** Clients' spans waiting for the next cycle. */
  spans: ClientSpan[];
}

export function newLane(key: string, bus: Bus, now: number, initialHoles: HoleSet | undefined): BusLane {
  const status: BusStatus = {
    key, requests: 0, registers: 0, busyMs: 0, modelledBusMs: 0, errors: 0, overruns: 0, cycles: 0, since: now,
  };
  const holes = HoleSet.fromList(initialHoles?.list() ?? []);
  return { key, bus, holes, sizes: new ReadSizes(), heap: new MinHeap(), timer: undefined, running: undefined, status, spans: [] };
}

/** The block reader's view of a lane: its bus, lessons and figures, and who hears what it learns. */
export function laneReadContext(
  lane: BusLane, timing: BlockReadContext['timing'], deps: { clock: Clock; logger: Logger; events: EventBus<PollerEvents> },
): BlockReadContext {
  return {
    bus: lane.bus, timing, holes: lane.holes, sizes: lane.sizes, now: () => deps.clock.now(),
    onRequest: (registers, modelledMs, measuredMs, failed) => {
      lane.status.requests++;
      lane.status.registers += registers;
      lane.status.modelledBusMs += modelledMs;
      lane.status.busyMs += measuredMs;
      if (failed) lane.status.errors++;
    },
    onHole: (unitId, fn, start, end) => {
      deps.logger.warn(`${lane.key} unit ${unitId} fc${fn}: registers ${start}..${end - 1} answer "illegal data address"; later reads avoid them`);
      deps.events.emit('holeLearned', { bus: lane.key, unitId, fn, start, end });
    },
    onReadSize: (unitId, refusedCount, lesson) => {
      const cap = lane.sizes.capOf(unitId);
      const gapCap = lane.sizes.gapCapOf(unitId);
      if (lesson === 'gap') {
        deps.logger.warn(`${lane.key} unit ${unitId}: a read of ${refusedCount} registers was refused for the unmapped registers inside it; bridging at most ${gapCap} at a time`);
      } else deps.logger.warn(`${lane.key} unit ${unitId}: a read of ${refusedCount} registers was refused while smaller reads work; reading at most ${cap} at a time`);
      deps.events.emit('readSizeLearned', { bus: lane.key, unitId, maxRegisters: cap, maxGap: gapCap });
    },
  };
}

export function laneHoles(lanes: Iterable<BusLane>): Array<HoleRange & { bus: string }> {
  return [...lanes].flatMap((l) => l.holes.list().map((h) => ({ ...h, bus: l.key })));
}

export function restoreLaneHoles(lanes: ReadonlyMap<string, BusLane>, list: ReadonlyArray<HoleRange & { bus: string }>): number {
  let restored = 0;
  for (const h of list) {
    const lane = lanes.get(h.bus);
    if (!lane) continue;
    lane.holes.add(h.unitId, h.fn, h.start, h.end);
    restored++;
  }
  return restored;
}

export function laneReadSizes(lanes: Iterable<BusLane>): Array<ReadSizeRecord & { bus: string }> {
  return [...lanes].flatMap((l) => l.sizes.list().map((r) => ({ ...r, bus: l.key })));
}

export function restoreLaneReadSizes(lanes: ReadonlyMap<string, BusLane>, list: ReadonlyArray<ReadSizeRecord & { bus: string }>): number {
  let restored = 0;
  for (const { bus, ...record } of list) {
    const lane = lanes.get(bus);
    if (!lane) continue;
    lane.sizes.restore(record);
    restored++;
  }
  return restored;
}
