/**
 * Small simulated sites for the stats tests: SimDevices behind a VirtualBus, polled by the real
 * Poller in virtual time, with the stats service listening on the same event bus. Ground truth
 * (every change time of every simulated point) is recorded through the processes' change listeners.
 * "Linked" points are derived from other points (a heat pump's power, flow temperature and pump
 * speed follow its compressor), which is how a co-changing group is simulated.
 */
import { SettableContext, type ContextChange } from '../../src/core/context.js';
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { hashSeed, seededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { createEncoder, naturalRegisterCount } from '../../src/modbus/codecs.js';
import { HoleSet } from '../../src/modbus/holes.js';
import { Poller } from '../../src/modbus/poller.js';
import type { PollerEvents } from '../../src/modbus/pollerTypes.js';
import { FUNCTION_OF, busKeyOf, type ConnectionDef, type EntityDef, type ReadFunction } from '../../src/modbus/types.js';
import { SimDevice, type SimDeviceSpec, type SimPointSpec, type SimReadResult } from '../../src/sim/simDevice.js';
import { ValueProcess, type ProcessSpec } from '../../src/sim/valueProcess.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { ContextFeed } from '../../src/sim/contextFeed.js';
import { SimSite } from '../../src/sim/groundTruth.js';
import { siteOptions, type SiteSpec as SiteSpecOfSim } from '../../src/sim/sites.js';
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

/** A point whose value is a function of other points' values and its own noise process. */
export interface LinkedPoint {
  unitId: number;
  point: SimPointSpec;
  /** Engineering value from the driver's value and the noise process's value. */
  derive: (driver: number, noise: number) => number;
  driver: string;
  noise?: ProcessSpec;
}

type Link = LinkedPoint & { noiseProcess: ValueProcess | undefined; encode: (v: number) => number[] };

/** Serves linked points from their derivation instead of their own process. */
class LinkedDevice extends SimDevice {
  constructor(spec: SimDeviceSpec, seed: number, private readonly links: Link[], onChange: (id: string) => (t: number) => void) {
    super(spec, seed, START, onChange);
  }

  override read(fn: ReadFunction, address: number, count: number, t: number): SimReadResult {
    const result = super.read(fn, address, count, t);
    if (!('data' in result)) return result;
    for (const link of this.links) {
      if (FUNCTION_OF[link.point.registerType] !== fn) continue;
      const words = link.encode(link.derive(this.valueOf(link.driver, t), link.noiseProcess?.valueAt(t) ?? 0));
      words.forEach((w, i) => {
        const at = link.point.address + i - address;
        if (at >= 0 && at < count) result.data[at] = w;
      });
    }
    return result;
  }
}

export interface SiteSpec {
  devices: SimDeviceSpec[];
  links?: LinkedPoint[];
  /** Poll interval (seconds) per point id. */
  scanS: (pointId: string) => number;
  seed?: number;
  statsOptions?: Partial<StatsOptions>;
  /** Context entities fed from simulated time, re-evaluated every `contextEveryMs`. */
  contexts?: Record<string, (t: number, devices: SimDevice[]) => string>;
  contextEveryMs?: number;
}

export interface StatsRig {
  clock: VirtualClock;
  stats: EntityStatsService;
  poller: Poller;
  devices: SimDevice[];
  /** Ground-truth change times per point id (linked points excluded: they follow their driver). */
  truth: Map<string, number[]>;
  entityIds: string[];
  run(ms: number): Promise<void>;
  stop(): Promise<void>;
}

function entityOf(p: SimPointSpec, unitId: number, scanS: number): EntityDef {
  return {
    id: p.id, name: p.name, connection: CONN.name, unitId, registerType: p.registerType, address: p.address,
    dataType: p.dataType, swap: p.swap ?? 'none', count: naturalRegisterCount(p.dataType, p.count ?? 1),
    scale: p.scale ?? 1, offset: 0, precision: undefined, unitOfMeasurement: p.unit, deviceClass: p.deviceClass,
    stateClass: p.stateClass, scanIntervalMs: scanS * 1000, minIntervalMs: 100, maxIntervalMs: DAY,
  };
}

export function buildStatsRig(site: SiteSpec): StatsRig {
  const seed = site.seed ?? 1;
  const clock = new VirtualClock(START);
  const truth = new Map<string, number[]>();
  const listener = (id: string) => {
    const times: number[] = [];
    truth.set(id, times);
    return (t: number) => times.push(t);
  };
  const devices = site.devices.map((spec) => {
    const links: Link[] = (site.links ?? []).filter((l) => l.unitId === spec.unitId).map((l) => ({
      ...l,
      noiseProcess: l.noise && new ValueProcess(l.noise, seededRandom(hashSeed(l.point.id, seed)), START),
      encode: createEncoder({ dataType: l.point.dataType, swap: 'none', count: naturalRegisterCount(l.point.dataType, 1), scale: 1, offset: 0, precision: undefined }),
    }));
    return links.length > 0 ? new LinkedDevice(spec, seed, links, listener) : new SimDevice(spec, seed, START, listener);
  });
  const entities = site.devices.flatMap((d) => d.points.map((p) => entityOf(p, d.unitId, site.scanS(p.id))));
  const bus = new VirtualBus({ key: busKeyOf(CONN), clock, devices, timing: { baudrate: undefined, roundTripMs: 1 } });
  const events = new EventBus<PollerEvents & { contextChanged: ContextChange }>();
  const logger = createMemoryLogger();
  const poller = new Poller({ clock, logger, connections: [CONN], entities, buses: new Map([[bus.key, bus]]), holes: new HoleSet(), events });
  const ctxIds = Object.keys(site.contexts ?? {});
  const context = new SettableContext(ctxIds);
  const stats = createEntityStats({ clock, logger, events, context, options: site.statsOptions });
  const feedContexts = () => {
    for (const [id, stateAt] of Object.entries(site.contexts ?? {})) {
      const change = context.set(id, stateAt(clock.now(), devices), clock.now());
      if (change) events.emit('contextChanged', change);
    }
  };
  let ctxTimer = ctxIds.length > 0 ? clock.setTimer(function tick() {
    feedContexts();
    ctxTimer = clock.setTimer(tick, site.contextEveryMs ?? 60_000);
  }, 0) : undefined;
  feedContexts();
  stats.start();
  poller.start();
  return {
    clock, stats, poller, devices, truth, entityIds: entities.map((e) => e.id),
    run: (ms) => clock.advance(ms),
    async stop() {
      clock.clearTimer(ctxTimer);
      stats.stop();
      const stopped = poller.stop();
      await clock.advance(60_000);
      await stopped;
    },
  };
}

export interface SiteRig {
  clock: VirtualClock;
  stats: EntityStatsService;
  site: SimSite;
  run(ms: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A simulated site from src/sim (solar-home, industrial) polled by the real Poller at one interval,
 * with its HA context states fed in virtual time and stats listening — the app's polling path
 * without the parts stats does not need (HA publisher, optimizer), so a simulated week stays cheap.
 */
export function siteRig(spec: SiteSpecOfSim, o: { seed: number; scanS: number; statsOptions?: Partial<StatsOptions> }): SiteRig {
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
  const events = new EventBus<PollerEvents & { contextChanged: ContextChange }>();
  const logger = createMemoryLogger();
  const poller = new Poller({ clock, logger, connections, entities, buses, holes: new HoleSet(), events });
  const context = new SettableContext(spec.contextEntities);
  const feed = new ContextFeed({ clock, site, context });
  feed.onChange((c) => events.emit('contextChanged', c));
  feed.start();
  const stats = createEntityStats({ clock, logger, events, context, options: o.statsOptions });
  stats.start();
  poller.start();
  return {
    clock, stats, site,
    run: (ms) => clock.advance(ms),
    async stop() {
      feed.stop();
      stats.stop();
      const stopped = poller.stop();
      await clock.advance(60_000);
      await stopped;
    },
  };
}
