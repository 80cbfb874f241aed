/**
 * The MQTT face inside the real app (virtual time, simulated devices on one virtual bus) against
 * Debian's mosquitto: a device that stops answering goes unavailable alone and comes back; entities
 * and devices removed from the options are removed from Home Assistant at the next start (device
 * config cleared, a component announced once with only its platform, retained states cleared); a
 * goal set over MQTT survives a restart.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createApp, type App } from '../../src/app.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { seededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { SimDevice, type SimPointSpec } from '../../src/sim/simDevice.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';
import type { Bus } from '../../src/modbus/transport.js';
import { checkDeviceDiscovery } from '../helpers/haDiscoverySchema.js';
import { connectHaSide, discoveryConfigs, type HaSide } from '../helpers/haMqttClient.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const walk = (perHour: number) => ({ kind: 'walk' as const, initial: 1000, step: 10, min: 0, max: 60_000, ratePerHour: () => perHour, peakRatePerHour: perHour });
const point = (id: string, address: number): SimPointSpec => ({ id, name: id, registerType: 'holding', address, dataType: 'uint16', process: walk(600) });
const device = (unitId: number, points: SimPointSpec[], now: number) =>
  new SimDevice({ name: `u${unitId}`, unitId, turnaroundMs: 10, ranges: { holding: [[0, 20]] }, points }, 3, now);

let broker: Broker;
let ha: HaSide;
let dir: string;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker.stop();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-mqtt-c-'));
});
afterEach(async () => {
  await ha.close();
  await rm(dir, { recursive: true, force: true });
});

interface Rig { app: App; clock: VirtualClock; lost: Set<number>; lines: string[] }

function build(entities: Array<{ id: string; unit: number; address: number }>, clock: VirtualClock, baseTopic: string, optimizer: Record<string, unknown> = { enabled: false }): Rig {
  const resolved = resolveOptions({
    connections: [{ name: 'bus', type: 'rtuovertcp', host: 'sim' }],
    entities: entities.map((e) => ({ id: e.id, name: `Value ${e.id}`, connection: 'bus', unit_id: e.unit, address: e.address, scan_interval: 5, unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement' })),
    optimizer,
  });
  const lost = new Set<number>();
  const logger = createMemoryLogger();
  const now = clock.now();
  const devices = [1, 2].map((u) => device(u, entities.filter((e) => e.unit === u).map((e) => point(e.id, e.address)), now));
  const app = createApp({
    clock, random: seededRandom(2), logger, connections: resolved.connections, entities: resolved.entities, devices: resolved.devices,
    statusEveryMs: 0, optimizer: resolved.optimizer, dataDir: dir, statisticsEveryMs: 10_000, unavailableAfterMs: 60_000,
    mqtt: { broker: { url: broker.url, username: undefined, password: undefined, source: 'MQTT_URL', discoveryPrefix: 'homeassistant', baseTopic }, scanTimeoutMs: 2000 },
    createBus: (_c, key): Bus => {
      const bus = new VirtualBus({ key, clock, devices, timing: { baudrate: 9600, roundTripMs: 1 } });
      const read = bus.read.bind(bus);
      bus.read = (req) => (lost.has(req.unitId) ? read({ ...req, unitId: 99 }) : read(req)); // unit 99: no device, exception 11
      return bus;
    },
  });
  return { app, clock, lost, lines: logger.lines };
}

/** Moves virtual time in small steps while real time passes for the broker. */
async function pump(clock: VirtualClock, ms: number, step = 1000): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await clock.advance(step);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function until<T>(rig: Rig, check: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    await pump(rig.clock, 1000);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}; the app logged:\n${rig.lines.slice(-30).join('\n')}`);
}

/** Stops the app, moving virtual time until it has (the broker's goodbye takes real time). */
/** Starts the app, runs `body`, and stops the app whatever happens. */
async function running<T>(rig: Rig, body: () => Promise<T>): Promise<T> {
  await rig.app.start();
  try {
    return await body();
  } finally {
    await stop(rig);
  }
}

async function stop(rig: Rig): Promise<void> {
  let stopped = false;
  const done = rig.app.stop().finally(() => { stopped = true; });
  for (let i = 0; i < 500 && !stopped; i++) await pump(rig.clock, 1000);
  await done;
}

describe('devices over MQTT', () => {
  jest.setTimeout(60_000);
  const clock = () => new VirtualClock(Date.UTC(2026, 0, 5));

  it('a device that stops answering goes unavailable alone, and comes back with its next good read', async () => {
    ha = await connectHaSide(broker.url, ['homeassistant/#', 'loss/#']);
    const rig = build([{ id: 'a', unit: 1, address: 0 }, { id: 'b', unit: 1, address: 5 }, { id: 'c', unit: 2, address: 0 }], clock(), 'loss');
    await running(rig, async () => {
      await until(rig, () => ha.latest.has('loss/entity/c/state') && ha.latest.has('loss/entity/a/state') && ha.latest.has('loss/device/bus_unit_2/availability'), 'first states');
      expect(ha.latest.get('loss/device/bus_unit_2/availability')).toBe('online');
      rig.lost.add(2);
      await pump(rig.clock, 30_000);
      expect(ha.latest.get('loss/entity/c/availability')).toBe('online'); // one failed read is not an outage
      await until(rig, () => ha.latest.get('loss/device/bus_unit_2/availability') === 'offline', 'unit 2 offline');
      expect(ha.latest.get('loss/entity/c/availability')).toBe('offline');
      expect(ha.latest.get('loss/device/bus_unit_1/availability')).toBe('online');
      expect(ha.latest.get('loss/entity/a/availability')).toBe('online');
      expect(ha.latest.get('loss/status')).toBe('online');
      rig.lost.delete(2);
      await until(rig, () => ha.latest.get('loss/device/bus_unit_2/availability') === 'online', 'unit 2 back');
      expect(ha.latest.get('loss/entity/c/availability')).toBe('online');
    });
  });

  it('removes what the options no longer have at the next start, and keeps what moved', async () => {
    ha = await connectHaSide(broker.url, ['homeassistant/#', 'rm/#']);
    const time = clock();
    const first = build([{ id: 'a', unit: 1, address: 0 }, { id: 'b', unit: 1, address: 5 }, { id: 'c', unit: 2, address: 0 }], time, 'rm');
    await running(first, () => until(first, () => discoveryConfigs(ha).has('rm_bus_unit_2') && ['a', 'b', 'c'].every((id) => ha.latest.has(`rm/entity/${id}/state`)), 'first configs and states'));

    const second = build([{ id: 'a', unit: 1, address: 0 }], time, 'rm');
    await running(second, async () => {
      await until(second, () => !discoveryConfigs(ha).has('rm_bus_unit_2') && (discoveryConfigs(ha).get('rm_bus_unit_1')?.json.cmps.b as unknown), 'removals');
      const unit1 = discoveryConfigs(ha).get('rm_bus_unit_1');
      expect(unit1?.json.cmps.b).toEqual({ p: 'sensor' });
      expect(unit1?.json.cmps.a).toMatchObject({ p: 'sensor', uniq_id: 'rm_a' });
      expect(checkDeviceDiscovery(unit1?.topic ?? '', unit1?.payload ?? '').problems).toEqual([]);
      for (const gone of ['rm/entity/b/state', 'rm/entity/c/state', 'rm/entity/c/availability', 'rm/entity/b/attributes']) expect(ha.latest.has(gone)).toBe(false);
      expect(ha.latest.has('rm/entity/a/state')).toBe(true);
    });

    // the next start drops the removal marker: HA has removed the component already
    const third = build([{ id: 'a', unit: 1, address: 0 }], time, 'rm');
    await running(third, async () => {
      await until(third, () => discoveryConfigs(ha).get('rm_bus_unit_1')?.json.cmps.b === undefined, 'marker dropped');
      expect(Object.keys(discoveryConfigs(ha).get('rm_bus_unit_1')?.json.cmps ?? {}).sort()).toEqual(['a', 'read_now_bus_unit_1']);
    });
  });

  it('leaves another base topic\'s devices alone', async () => {
    ha = await connectHaSide(broker.url, ['homeassistant/#']);
    const time = clock();
    const other = build([{ id: 'x', unit: 1, address: 0 }], time, 'other');
    await running(other, () => until(other, () => discoveryConfigs(ha).has('other_bus_unit_1'), 'other configs'));
    const mine = build([{ id: 'y', unit: 1, address: 0 }], time, 'mine');
    await running(mine, async () => {
      await until(mine, () => discoveryConfigs(ha).has('mine_bus_unit_1'), 'my configs');
      await pump(time, 5000);
      expect(discoveryConfigs(ha).get('other_bus_unit_1')?.json.cmps.x).toMatchObject({ uniq_id: 'other_x' });
    });
  });

  it('a goal and schedule set over MQTT survive a restart; an option changed since wins', async () => {
    ha = await connectHaSide(broker.url, ['homeassistant/#', 'set/#']);
    const time = clock();
    const first = build([{ id: 'a', unit: 1, address: 0 }], time, 'set', {});
    await running(first, async () => {
      await until(first, () => ha.latest.get('set/control/goal/state') === 'save_bus', 'goal state');
      await ha.publish('set/control/goal/set', 'freshest');
      await ha.publish('set/control/enabled/set', 'OFF');
      await until(first, () => ha.latest.get('set/control/goal/state') === 'freshest' && ha.latest.get('set/control/enabled/state') === 'OFF', 'new states');
      expect(first.app.optimizer?.loop.state.audit.filter((r) => r.by === 'mqtt').map((r) => r.what)).toEqual(['optimizer goal', 'optimizer enabled']);
    });

    const second = build([{ id: 'a', unit: 1, address: 0 }], time, 'set', {});
    ha.latest.delete('set/status');
    await running(second, async () => {
      expect(second.app.optimizer?.settings()).toEqual({ goal: 'freshest', enabled: false });
      // the app subscribes its command topics before it says online; a command sent earlier is not heard
      await until(second, () => ha.latest.get('set/status') === 'online', 'second app online');
      await ha.publish('set/control/goal/set', 'save_bus');
      await until(second, () => second.app.optimizer?.settings().goal === 'save_bus', 'goal back to save_bus');
    });
    const third = build([{ id: 'a', unit: 1, address: 0 }], time, 'set', { goal: 'freshest' });
    await running(third, async () => {
      // the goal option changed since the save (save_bus → freshest) and wins over the saved save_bus; enabled's option did not, so OFF stays
      expect(third.app.optimizer?.settings()).toEqual({ goal: 'freshest', enabled: false });
    });
  });
});
