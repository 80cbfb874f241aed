/**
 * The Modbus proxies' figures as statistics sensors: reads answered from the cache (each one a request
 * the device was spared), reads that went to the device as their own request (misses merged into the
 * app's polling or sharing a read already in flight are counted apart), writes passed, connections refused, and the
 * clients connected now — summed over the proxies, per proxy in the attributes.
 */
import type { ProxyCounters } from '../modbus/proxy/proxyServer.js';
import type { StatisticSensor, StatisticsProvider, StatisticValue } from './statisticsSensors.js';

const SENSORS: StatisticSensor[] = [
  { key: 'proxy_cache_hits', name: 'proxy cache hits', stateClass: 'total_increasing', icon: 'mdi:cached' },
  { key: 'proxy_device_reads', name: 'proxy device reads', stateClass: 'total_increasing', icon: 'mdi:download-network' },
  { key: 'proxy_clients', name: 'proxy clients', stateClass: 'measurement', icon: 'mdi:lan-connect' },
];

export function proxyStatisticsProvider(proxies: ReadonlyArray<{ name: string; counters: ProxyCounters }>): StatisticsProvider {
  const sum = (k: keyof ProxyCounters) => proxies.reduce((n, p) => n + p.counters[k], 0);
  return {
    name: 'proxy',
    sensors: () => SENSORS,
    read(): StatisticValue[] {
      const per = Object.fromEntries(proxies.map((p) => [p.name, { ...p.counters }]));
      return [
        { key: 'proxy_cache_hits', value: sum('hits'), attributes: { per_proxy: per } },
        {
          key: 'proxy_device_reads', value: sum('misses') - sum('merged') - sum('shared'),
          attributes: { merged_with_polling: sum('merged'), shared_in_flight: sum('shared'), writes: sum('writes'), refused: sum('refused') },
        },
        { key: 'proxy_clients', value: sum('clients') },
      ];
    },
  };
}
