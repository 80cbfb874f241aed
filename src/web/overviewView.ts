/**
 * What the dashboard reads, as one narrow interface over the app's own parts (no second source of
 * truth), and the overview it builds from it: per bus the counters and the recorded series, and the
 * savings against polling every entity at its configured scan interval — bus time from each entity's
 * share of its block (the optimizer's amortized costs), staleness from the same age model the
 * sensor uses, evaluated once at the configured and once at the current intervals.
 */
import type { Clock } from '../core/clock.js';
import type { HoleRange } from '../modbus/holes.js';
import { amortizedCosts, modelledUtilisation, NO_HOLES } from '../modbus/readPlan.js';
import type { EntityStatus, PollerView } from '../modbus/pollerTypes.js';
import type { ProxyCounters } from '../modbus/proxy/proxyServer.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../modbus/types.js';
import type { BusWindows } from '../telemetry/busWindows.js';
import type { OptimizerStatistics } from '../telemetry/optimizerFigures.js';
import type { OptimizerView } from '../telemetry/optimizerView.js';
import { entityStalenessMs } from '../optimizer/staleness.js';
import type { StatsView } from '../stats/types.js';
import type { SeriesColumns, SeriesRecorder } from '../telemetry/series.js';

export interface DashboardSource {
  clock: Clock;
  poller: PollerView & { holeList(): Array<HoleRange & { bus: string }> };
  stats: StatsView;
  /** The bus-window recorder the dashboard series measure with. */
  busWindows: BusWindows;
  optimizer: OptimizerView | undefined;
  entities: readonly EntityDef[];
  connections: readonly ConnectionDef[];
  /** How values reach Home Assistant now. */
  transport?: () => TransportState;
  /** The Modbus proxies' counters (option proxies), each by `<connection>:<port>`. */
  proxies?: () => ReadonlyArray<{ name: string; counters: ProxyCounters }>;
}

/** Which face carries the entities (mqtt, rest, or none) and whether its connection is up. */
export interface TransportState {
  kind: 'mqtt' | 'rest' | 'off';
  connected: boolean;
  /** The broker (mqtt) or Home Assistant (rest) URL, without credentials. */
  target: string | null;
}

export interface BusSavings {
  bus: string;
  /** Modelled bus utilisation if every entity were polled at its configured scan_interval. */
  configuredUtilisation: number;
  /** The same model at the intervals in force now. */
  currentUtilisation: number;
  /** Modelled utilisation of the polling done over the series window (a minute; null before two samples). */
  measuredUtilisation: number | null;
  /** Mean estimated staleness (s) at the configured and at the current intervals (null without estimates). */
  configuredStalenessS: number | null;
  currentStalenessS: number | null;
}

export interface BusSummary {
  key: string;
  connections: string[];
  entities: number;
  requests: number;
  registers: number;
  errors: number;
  overruns: number;
  since: number;
  savings: BusSavings;
}

export interface Overview {
  now: number;
  entities: number;
  optimizer: OptimizerStatistics | null;
  transport: TransportState;
  buses: BusSummary[];
  series: SeriesColumns;
  /** Per proxy: how other masters' reads were answered (empty without proxies). */
  proxies: Array<{ name: string } & ProxyCounters>;
}

/**
 * Each entity's share of its block read, planned from the definitions alone (no learned holes, the
 * same shares the optimizer's targets charge), so computed once.
 */
export function costShares(src: Pick<DashboardSource, 'connections' | 'entities'>): Map<string, number> {
  return amortizedCosts({ connections: src.connections, entities: src.entities }, NO_HOLES);
}

export function buildOverview(src: DashboardSource, series: SeriesRecorder, shares: ReadonlyMap<string, number>): Overview {
  const stats = src.poller.allEntityStatus();
  const defs = new Map(src.entities.map((d) => [d.id, d]));
  const byBus = new Map<string, EntityStatus[]>();
  for (const s of stats) {
    const list = byBus.get(s.bus);
    if (list) list.push(s);
    else byBus.set(s.bus, [s]);
  }
  const columns = series.columns();
  const buses = src.poller.busStatus().map((b): BusSummary => {
    const mine = byBus.get(b.key) ?? [];
    return {
      key: b.key,
      connections: src.connections.filter((c) => busKeyOf(c) === b.key).map((c) => c.name),
      entities: mine.length, requests: b.requests, registers: b.registers, errors: b.errors, overruns: b.overruns, since: b.since,
      savings: busSavings(b.key, mine, defs, shares, src.stats, columns),
    };
  });
  const transport = src.transport?.() ?? { kind: 'off', connected: false, target: null };
  const proxies = (src.proxies?.() ?? []).map((p) => ({ name: p.name, ...p.counters }));
  return { now: src.clock.now(), entities: src.entities.length, optimizer: src.optimizer?.statistics() ?? null, transport, buses, series: columns, proxies };
}

function busSavings(
  bus: string, mine: readonly EntityStatus[], defs: ReadonlyMap<string, EntityDef>, shares: ReadonlyMap<string, number>,
  stats: StatsView, columns: SeriesColumns,
): BusSavings {
  const configuredAges: number[] = [];
  const currentAges: number[] = [];
  const known = mine.filter((s) => defs.has(s.id));
  const configured = modelledUtilisation(shares, known.map((s) => [s.id, defs.get(s.id)?.scanIntervalMs]));
  const current = modelledUtilisation(shares, known.map((s) => [s.id, s.intervalMs]));
  for (const s of known) {
    const def = defs.get(s.id);
    if (!def) continue;
    const atConfigured = entityStalenessMs({ ...s, intervalMs: def.scanIntervalMs }, stats);
    const atCurrent = entityStalenessMs(s, stats);
    if (atConfigured !== undefined && atCurrent !== undefined) {
      configuredAges.push(atConfigured);
      currentAges.push(atCurrent);
    }
  }
  const measured = columns.buses[bus]?.utilisation.at(-1);
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);
  return {
    bus, configuredUtilisation: configured, currentUtilisation: current, measuredUtilisation: measured ?? null,
    configuredStalenessS: seconds(mean(configuredAges)), currentStalenessS: seconds(mean(currentAges)),
  };
}
