/**
 * Simulated sites for the stats tests: SimDevices behind VirtualBuses, polled by the real Poller in
 * virtual time, with the stats service listening on the same event bus — the app's polling path
 * without the parts stats does not need (HA publisher, optimizer), so simulated weeks stay cheap.
 * Ground truth comes from the simulator: the processes' change listeners for a hand-made device,
 * SimSite (true change times, rates per regime, co-change groups, context feed) for src/sim sites.
 */
import { SettableContext, type ContextChange } from '../../src/core/context.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { naturalRegisterCount } from '../../src/modbus/codecs.js';
import { HoleSet } from '../../src/modbus/holes.js';
import { Poller } from '../../src/modbus/poller.js';
import type { PollerEvents } from '../../src/modbus/pollerTypes.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../../src/modbus/types.js';
import { ContextFeed } from '../../src/sim/contextFeed.js';
import { SimSite } from '../../src/sim/groundTruth.js';
import { SimDevice, type SimDeviceSpec, type SimPointSpec } from '../../src/sim/simDevice.js';
import { siteOptions, type SiteSpec } from '../../src/sim/sites.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';
import { createEntityStats, type EntityStatsService } from '../../src/stats/entityStats.js';
import type { StatsOptions } from '../../src/stats/types.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** A Monday, 00:00 UTC. */
export const START = Date.UTC(2026, 0, 5);

const CONN: ConnectionDef = {
  name: 'lan', type: 'tcp', host: 'sim', port: 502, serialPort: '', baudrate: 9600, parity: 'none', dataBits: 8,
  stopBits: 1, timeoutMs: 1000, messageWaitMs: 0, maxRegistersPerRead: 125, turnaroundMs: 2,
};

/** The q-quantile (0 … 1) of some numbers (NaN when there are none). */
export function quantile(xs: readonly number[], q: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
}

type Events = PollerEvents & { contextChanged: ContextChange };

interface Polling {
  clock: VirtualClock;
  stats: EntityStatsService;
  run(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/** The real poller over the given buses with stats on its events; `onStop` releases extra parts. */
function startPolling(
  clock: VirtualClock, connections: ConnectionDef[], entities: EntityDef[], buses: Map<string, VirtualBus>,
  wire: (events: EventBus<Events>) => { context?: SettableContext; onStop?: () => void },
  statsOptions: Partial<StatsOptions> | undefined,
): Polling {
  const events = new EventBus<Events>();
  const logger = createMemoryLogger();
  const poller = new Poller({ clock, logger, connections, entities, buses, holes: new HoleSet(), events });
  const { context, onStop } = wire(events);
  const stats = createEntityStats({ clock, logger, events, context, options: statsOptions });
  stats.start();
  poller.start();
  return {
    clock, stats,
    run: (ms) => clock.advance(ms),
    async stop() {
      onStop?.();
      stats.stop();
      const stopped = poller.stop();
      await clock.advance(60_000);
      await stopped;
    },
  };
}

export interface DeviceRig extends Polling {
  /** Ground-truth change times per point id. */
  truth: Map<string, number[]>;
}

function entityOf(p: SimPointSpec, unitId: number, scanS: number): EntityDef {
  return {
    id: p.id, name: p.name, connection: CONN.name, unitId, registerType: p.registerType, address: p.address,
    dataType: p.dataType, swap: p.swap ?? 'none', count: naturalRegisterCount(p.dataType, p.count ?? 1),
    scale: p.scale ?? 1, offset: 0, precision: undefined, unitOfMeasurement: p.unit, deviceClass: p.deviceClass,
    stateClass: p.stateClass, scanIntervalMs: scanS * 1000, minIntervalMs: 100, maxIntervalMs: DAY,
  };
}

/** Hand-made devices on one Modbus TCP bus, each point polled at its own interval (seconds). */
export function deviceRig(devices: SimDeviceSpec[], scanS: (pointId: string) => number, seed = 1): DeviceRig {
  const clock = new VirtualClock(START);
  const truth = new Map<string, number[]>();
  const listener = (id: string) => {
    const times: number[] = [];
    truth.set(id, times);
    return (t: number) => times.push(t);
  };
  const sims = devices.map((spec) => new SimDevice(spec, seed, START, listener));
  const entities = devices.flatMap((d) => d.points.map((p) => entityOf(p, d.unitId, scanS(p.id))));
  const bus = new VirtualBus({ key: busKeyOf(CONN), clock, devices: sims, timing: { baudrate: undefined, roundTripMs: 1 } });
  return { ...startPolling(clock, [CONN], entities, new Map([[bus.key, bus]]), () => ({}), undefined), truth };
}

export interface SiteRig extends Polling {
  site: SimSite;
}

/** A simulated site from src/sim (solar-home, industrial) at one scan interval, its HA context fed in virtual time. */
export function siteRig(spec: SiteSpec, o: { seed: number; scanS: number; statsOptions?: Partial<StatsOptions> }): SiteRig {
  const clock = new VirtualClock(START);
  const site = new SimSite(spec, { seed: o.seed, startMs: START, recordChanges: true });
  const { connections, entities } = resolveOptions(siteOptions(spec, 'gateway.sim', 502, o.scanS));
  const byName = new Map(connections.map((c) => [c.name, c]));
  const busOf = (name: string) => busKeyOf(byName.get(name) as ConnectionDef);
  const buses = new Map<string, VirtualBus>();
  for (const { connection } of spec.devices) {
    const key = busOf(connection);
    const conn = byName.get(connection) as ConnectionDef;
    if (buses.has(key)) continue;
    const devices = site.devices.filter((_, j) => busOf(spec.devices[j]?.connection ?? '') === key);
    buses.set(key, new VirtualBus({ key, clock, devices, timing: { baudrate: conn.type === 'tcp' ? undefined : conn.baudrate, roundTripMs: 1 } }));
  }
  const polling = startPolling(clock, connections, entities, buses, (events) => {
    const context = new SettableContext(spec.contextEntities);
    const feed = new ContextFeed({ clock, site, context });
    feed.onChange((c) => events.emit('contextChanged', c));
    feed.start();
    return { context, onStop: () => feed.stop() };
  }, o.statsOptions);
  return { ...polling, site };
}
