/**
 * The entity table, as compact rows (one array per entity, the column names once) so 10,000
 * entities stay a quick answer: value and unit, current and configured interval, the learned rate
 * in the current regime with its confidence, the regime, the adopted cluster, last change, reads,
 * errors and availability. `liveRows` gives the few live columns of entities read since a time, for
 * the event stream.
 */
import type { EntityValue } from '../modbus/types.js';
import type { EntityStatus } from '../modbus/pollerTypes.js';
import type { DashboardSource } from './overviewView.js';

export const ENTITY_COLUMNS = [
  'id', 'name', 'bus', 'unit', 'value', 'interval_s', 'scan_interval_s', 'rate_per_hour', 'confidence', 'saturated',
  'regime', 'cluster', 'last_change', 'last_read', 'reads', 'errors', 'availability', 'last_error',
] as const;

/** Live columns pushed as values arrive (indexes into ENTITY_COLUMNS, the id first). */
export const LIVE_COLUMNS = ['id', 'value', 'interval_s', 'last_change', 'last_read', 'reads', 'errors', 'availability', 'last_error'] as const;

export type Availability = 'ok' | 'failing' | 'waiting' | 'illegal_address';
type Cell = string | number | boolean | null;

export interface EntityTable {
  columns: readonly string[];
  rows: Cell[][];
}

/** A string-valued entity is cut in the table; the full value is in HA. */
const MAX_TEXT = 64;

function shown(value: EntityValue | null | undefined): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
  return value;
}

export function availability(s: EntityStatus): Availability {
  if (s.illegalAddress) return 'illegal_address';
  if (s.consecutiveErrors > 0) return 'failing';
  return s.lastReadAt === undefined ? 'waiting' : 'ok';
}

/** Entity id → adopted cluster id (the optimizer's clusters; none without an optimizer). */
function clusterOf(src: DashboardSource): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of src.optimizer?.clusters() ?? []) for (const m of c.members) out.set(m, c.id);
  return out;
}

export function buildEntityTable(src: DashboardSource): EntityTable {
  const clusters = clusterOf(src);
  const stats = new Map(src.poller.allEntityStatus().map((s) => [s.id, s]));
  const rows: Cell[][] = [];
  for (const def of src.entities) {
    const s = stats.get(def.id);
    if (!s) continue;
    const rate = src.stats.currentRate(def.id);
    const regime = src.stats.currentRegime(def.id);
    rows.push([
      def.id, def.name, s.bus, def.unitOfMeasurement ?? null, shown(s.lastValue), s.intervalMs / 1000, def.scanIntervalMs / 1000,
      rate && rate.kind !== 'unknown' ? round(rate.ratePerHour) : null, rate ? round(rate.confidence) : null, rate?.saturated ?? false,
      regime && regime.kind !== 'none' ? regime.label : null, clusters.get(def.id) ?? null,
      s.lastChangeAt ?? null, s.lastReadAt ?? null, s.polls, s.errors, availability(s), s.lastError ?? null,
    ]);
  }
  return { columns: ENTITY_COLUMNS, rows };
}

/** The live columns of every entity read after `sinceMs`. */
export function liveRows(src: Pick<DashboardSource, 'poller'>, sinceMs: number): Cell[][] {
  const out: Cell[][] = [];
  for (const s of src.poller.allEntityStatus()) {
    if ((s.lastReadAt ?? -Infinity) <= sinceMs && (s.lastErrorAt ?? -Infinity) <= sinceMs) continue;
    out.push([s.id, shown(s.lastValue), s.intervalMs / 1000, s.lastChangeAt ?? null, s.lastReadAt ?? null, s.polls, s.errors, availability(s), s.lastError ?? null]);
  }
  return out;
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}
