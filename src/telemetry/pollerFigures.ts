/**
 * The statistics sensors every app has, optimizer or not: request rate, bus utilisation and error
 * rate over the last statistics interval (from the bus-window recorder), how many entities are read
 * successfully, and the mean staleness estimate (optimizer/staleness.ts: learned rates where the
 * stats module has them, the poller's censored counts otherwise); plus the optimizer's sensors as
 * placeholders (state unknown) so an app without an optimizer declares the same entities.
 */
import type { PollerView } from '../modbus/pollerTypes.js';
import { meanStalenessMs } from '../optimizer/staleness.js';
import type { StatsView } from '../stats/types.js';
import type { BusWindows } from './busWindows.js';
import type { StatisticSensor, StatisticsProvider, StatisticValue } from './statisticsSensors.js';

const round = (x: number, places: number): number => Number(x.toFixed(places));

const POLLER_SENSORS: StatisticSensor[] = [
  { key: 'requests_per_minute', name: 'requests per minute', unit: 'req/min', stateClass: 'measurement', icon: 'mdi:swap-horizontal' },
  { key: 'bus_utilisation', name: 'bus utilisation', unit: '%', stateClass: 'measurement', icon: 'mdi:gauge' },
  { key: 'error_rate', name: 'error rate', unit: '%', stateClass: 'measurement', icon: 'mdi:alert-circle-outline' },
  { key: 'entities_polled', name: 'entities polled', stateClass: 'measurement', icon: 'mdi:format-list-numbered' },
  { key: 'mean_staleness', name: 'mean staleness', unit: 's', deviceClass: 'duration', stateClass: 'measurement', icon: 'mdi:timer-sand' },
];

/** Rates over the interval since the previous read(); the first read covers the time since creation. */
export function pollerStatisticsProvider(poller: PollerView, busWindows: Pick<BusWindows, 'open'>, stats?: Pick<StatsView, 'currentRate'>): StatisticsProvider {
  const window = busWindows.open();
  return {
    name: 'poller',
    sensors: () => POLLER_SENSORS,
    read(): StatisticValue[] {
      const delta = window.advance();
      const deltas = delta?.buses ?? [];
      const wallMs = Math.max(1, (delta?.toMs ?? 0) - (delta?.fromMs ?? 0));
      const requests = deltas.reduce((n, d) => n + d.requests, 0);
      const errors = deltas.reduce((n, d) => n + d.errors, 0);
      const perBus = Object.fromEntries(deltas.map((d) => [d.key, round(100 * d.utilisation, 1)]));
      const entities = poller.allEntityStatus();
      const healthy = entities.filter((e) => e.polls > 0 && e.consecutiveErrors === 0).length;
      const stalenessMs = meanStalenessMs(entities, stats);
      return [
        { key: 'requests_per_minute', value: round((requests / wallMs) * 60_000, 1), attributes: { window_s: round(wallMs / 1000, 1) } },
        { key: 'bus_utilisation', value: Math.max(0, ...Object.values(perBus)), attributes: { per_bus: perBus } },
        { key: 'error_rate', value: requests > 0 ? round((100 * errors) / requests, 1) : 0, attributes: { requests, errors } },
        { key: 'entities_polled', value: healthy, attributes: { configured: entities.length, failing: entities.filter((e) => e.consecutiveErrors > 0).length } },
        { key: 'mean_staleness', value: stalenessMs === undefined ? null : round(stalenessMs / 1000, 2) },
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
