/**
 * The statistics sensors that exist before the optimizer does: request rate, bus utilisation and
 * error rate over the last statistics interval (from the poller's per-bus counters), how many
 * entities are being read successfully, and a mean staleness estimate; plus the optimizer's
 * sensors as placeholders (state unknown) that the optimizer issue fills by registering its own
 * provider named `optimizer`.
 *
 * Staleness estimate (DESIGN.md, freshness metrics): for an entity polled every T that changed in
 * X of n polls, λ ≈ −ln((n − X + 0.5) / (n + 0.5)) / T and the expected age of what HA shows is
 * T/2 − 1/λ + (1 − e^(−λT)) / (λ²T): 0 for a value that never changes, T/2 for one that always does.
 */
import { expectedAgeMs } from '../metrics/ageModel.js';
import type { BusStats, EntityStats, PollerView } from '../modbus/pollerTypes.js';
import type { StatisticSensor, StatisticsProvider, StatisticValue } from './statistics.js';

/** Change rate per ms from "changed or not" polls (censored counts), DESIGN.md's closed form. */
export function estimateRatePerMs(polls: number, changes: number, intervalMs: number): number {
  if (polls <= 0 || intervalMs <= 0) return 0;
  const x = Math.min(changes, polls);
  return Math.max(0, -Math.log((polls - x + 0.5) / (polls + 0.5)) / intervalMs);
}

/** Mean over entities with at least two reads (one gives no change information). */
export function meanStalenessS(stats: readonly EntityStats[]): number | null {
  const ages = stats.filter((s) => s.polls >= 2)
    .map((s) => expectedAgeMs(s.intervalMs, estimateRatePerMs(s.polls - 1, s.changes, s.intervalMs)));
  return ages.length === 0 ? null : ages.reduce((a, b) => a + b, 0) / ages.length / 1000;
}

const round = (x: number, places: number): number => Number(x.toFixed(places));

const POLLER_SENSORS: StatisticSensor[] = [
  { key: 'requests_per_minute', name: 'requests per minute', unit: 'req/min', stateClass: 'measurement', icon: 'mdi:swap-horizontal' },
  { key: 'bus_utilisation', name: 'bus utilisation', unit: '%', stateClass: 'measurement', icon: 'mdi:gauge' },
  { key: 'error_rate', name: 'error rate', unit: '%', stateClass: 'measurement', icon: 'mdi:alert-circle-outline' },
  { key: 'entities_polled', name: 'entities polled', stateClass: 'measurement', icon: 'mdi:format-list-numbered' },
  { key: 'mean_staleness', name: 'mean staleness', unit: 's', deviceClass: 'duration', stateClass: 'measurement', icon: 'mdi:timer-sand' },
];

/** Rates over the interval since the previous read(); the first read covers the time since creation. */
export function pollerStatisticsProvider(poller: PollerView, startedAt: number): StatisticsProvider {
  let previous = new Map<string, BusStats>();
  let previousAt = startedAt;
  return {
    name: 'poller',
    sensors: () => POLLER_SENSORS,
    read(now): StatisticValue[] {
      const buses = poller.busStats();
      const wallMs = Math.max(1, now - previousAt);
      let requests = 0;
      let errors = 0;
      const perBus: Record<string, number> = {};
      for (const b of buses) {
        const before = previous.get(b.key);
        requests += b.requests - (before?.requests ?? 0);
        errors += b.errors - (before?.errors ?? 0);
        perBus[b.key] = round((100 * (b.busyMs - (before?.busyMs ?? 0))) / wallMs, 1);
      }
      previous = new Map(buses.map((b) => [b.key, b]));
      previousAt = now;
      const entities = poller.allEntityStats();
      const healthy = entities.filter((e) => e.polls > 0 && e.consecutiveErrors === 0).length;
      const staleness = meanStalenessS(entities);
      return [
        { key: 'requests_per_minute', value: round((requests / wallMs) * 60_000, 1), attributes: { window_s: round(wallMs / 1000, 1) } },
        { key: 'bus_utilisation', value: Math.max(0, ...Object.values(perBus)), attributes: { per_bus: perBus } },
        { key: 'error_rate', value: requests > 0 ? round((100 * errors) / requests, 1) : 0, attributes: { requests, errors } },
        { key: 'entities_polled', value: healthy, attributes: { configured: entities.length, failing: entities.filter((e) => e.consecutiveErrors > 0).length } },
        { key: 'mean_staleness', value: staleness === null ? null : round(staleness, 2) },
      ];
    },
  };
}

const OPTIMIZER_SENSORS: StatisticSensor[] = [
  { key: 'last_quick_optimization', name: 'last quick optimization', deviceClass: 'timestamp', icon: 'mdi:clock-fast' },
  { key: 'last_full_optimization', name: 'last full optimization', deviceClass: 'timestamp', icon: 'mdi:clock-check-outline' },
  { key: 'interval_strategy_success_rate', name: 'interval strategy success rate', unit: '%', stateClass: 'measurement', icon: 'mdi:chart-line' },
  { key: 'cluster_strategy_success_rate', name: 'cluster strategy success rate', unit: '%', stateClass: 'measurement', icon: 'mdi:chart-line' },
  { key: 'pattern_strategy_success_rate', name: 'pattern strategy success rate', unit: '%', stateClass: 'measurement', icon: 'mdi:chart-line' },
  { key: 'history_length', name: 'history length', unit: 'records', stateClass: 'measurement', icon: 'mdi:history' },
];

/** Placeholders until the optimizer registers its own provider named `optimizer`. */
export function optimizerPlaceholders(): StatisticsProvider {
  return { name: 'optimizer', sensors: () => OPTIMIZER_SENSORS, read: () => [] };
}
