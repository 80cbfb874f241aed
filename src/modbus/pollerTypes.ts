/**
 * What the poller tells the rest of the app: samples and read errors as events, and per-entity and
 * per-bus status (counters, last values) behind a read-only view. The optimizer, the stats module and the faces
 * consume these; none of them touch the poller's internals.
 */
import type { ReadSizeRecord } from './readSizes.js';
import type { EntityValue } from './types.js';

export interface Sample {
  entityId: string;
  /** Decoded value; null when the device returned no valid reading (e.g. a NaN float). */
  value: EntityValue | null;
  raw: readonly number[];
  at: number;
  /** True when the value differs from the previous successful read (false on the first read). */
  changed: boolean;
  /** Time since the previous successful read, undefined on the first. */
  sincePreviousMs: number | undefined;
  /** The interval the entity was polled at. */
  intervalMs: number;
  /** What caused the read. */
  reason: 'schedule' | 'trigger';
}

export interface ReadFailure {
  entityId: string;
  at: number;
  error: Error;
  consecutiveErrors: number;
}

export interface PollerEvents {
  sample: Sample;
  readError: ReadFailure;
  /** A learned illegal-address range. */
  holeLearned: { bus: string; unitId: number; fn: number; start: number; end: number };
  /** A unit's learned largest working read (registers). */
  /** A unit's learned read limits changed (Infinity: no limit learned). */
  readSizeLearned: { bus: string; unitId: number; maxRegisters: number; maxGap: number };
}

export interface EntityStatus {
  id: string;
  /** Readings of a total_increasing value held back because they fell without a real reset. */
  countersHeld: number;
  bus: string;
  intervalMs: number;
  polls: number;
  changes: number;
  errors: number;
  consecutiveErrors: number;
  lastValue: EntityValue | null | undefined;
  lastReadAt: number | undefined;
  lastChangeAt: number | undefined;
  lastErrorAt: number | undefined;
  lastError: string | undefined;
  meanLatencyMs: number;
  /** True when the entity's own registers are an illegal address on the device. */
  illegalAddress: boolean;
}

export interface BusStatus {
  key: string;
  requests: number;
  registers: number;
  /** Sum of measured request durations. */
  busyMs: number;
  /** Sum of modelled bus time (DESIGN.md cost model). */
  modelledBusMs: number;
  errors: number;
  /** Entities read more than one interval late (the bus could not keep up). */
  overruns: number;
  cycles: number;
  since: number;
}

/** A bus's counters over a window: rates between two snapshots of its BusStatus. */
export interface BusDelta {
  key: string;
  /** Requests in the window. */
  requests: number;
  requestsPerMin: number;
  registersPerRequest: number;
  /** Measured busy time / wall time, in [0, 1]. */
  utilisation: number;
  /** Modelled bus time / wall time. */
  modelledUtilisation: number;
  errors: number;
  overruns: number;
}

/** Every bus's counters over one window [fromMs, toMs]. */
export interface BusWindowDelta {
  fromMs: number;
  toMs: number;
  buses: BusDelta[];
}

/** A window over the bus counters that opened at some time; `advance` closes it and opens the next. */
export interface BusWindow {
  /** The counters since the window opened, and restarts it; undefined (window kept) while younger than its minimum span. */
  advance(): BusWindowDelta | undefined;
}

export interface PollerView {
  entityIds(): string[];
  entityStatus(id: string): EntityStatus | undefined;
  allEntityStatus(): EntityStatus[];
  busStatus(): BusStatus[];
  /** Read sizes learned per bus and unit (a unit that refused long reads). */
  readSizeList(): Array<ReadSizeRecord & { bus: string }>;
  intervalMs(id: string): number | undefined;
  /** Sets an entity's poll interval (clamped to its min/max); returns the value applied. */
  setIntervalMs(id: string, ms: number): number;
  /** Reads the entity as soon as its bus is free; resolves with the sample or rejects with the error. */
  readNow(id: string): Promise<Sample>;
  /** Co-schedules groups of entities so their registers share block reads (replaces earlier groups). */
  setCompanions(groups: readonly (readonly string[])[]): void;
}
