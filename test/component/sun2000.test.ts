/**
 * A Huawei SUN2000 as it really behaves (issue 14, items 3, 4, 5 and 8): the SUN2000 template against
 * the simulated inverter (its map is the template's; no answer above 64 registers, slow replies). The
 * invalid values it sends at night never reach a sensor as numbers, its total yield never drops for a
 * dip, a 0 after an error or a sentinel — only for a real reset — and its status shows as text.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/config/resolve.js';
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { Poller } from '../../src/modbus/poller.js';
import type { PollerEvents } from '../../src/modbus/pollerTypes.js';
import type { ReadRequest } from '../../src/modbus/transport.js';
import type { EntityValue } from '../../src/modbus/types.js';
import { sun2000Device } from '../../src/sim/devices/sun2000.js';
import { SimDevice } from '../../src/sim/simDevice.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';

interface Rig {
  clock: VirtualClock;
  poller: Poller;
  device: SimDevice;
  requests: Array<ReadRequest & { exception: number | undefined }>;
  values: Map<string, Array<EntityValue | null>>;
  ids: string[];
}

let rig: Rig | undefined;
afterEach(async () => {
  if (!rig) return;
  const stopped = rig.poller.stop();
  await rig.clock.advance(60_000);
  await stopped;
  rig = undefined;
});

function build(): Rig {
  const resolved = resolveOptions({
    connections: [{ name: 'dongle', type: 'tcp', host: 'sdongle', port: 502 }],
    devices: [{ template: 'huawei_sun2000', connection: 'dongle', unit_id: 1 }],
  });
  const clock = new VirtualClock(Date.UTC(2026, 5, 21, 10)); // a June morning: the sun is up
  const device = new SimDevice(sun2000Device({ name: 'sun2000', unitId: 1 }), 11, clock.now());
  const requests: Rig['requests'] = [];
  const bus = new VirtualBus({
    key: 'tcp://sdongle:502', clock, devices: [device], timing: { baudrate: undefined, roundTripMs: 5 }, timeoutMs: 10_000,
    onRequest: (req, _at, exception) => requests.push({ ...req, exception }),
  });
  const events = new EventBus<PollerEvents>();
  const poller = new Poller({ clock, logger: createMemoryLogger(), connections: resolved.connections, entities: resolved.entities, buses: new Map([[bus.key, bus]]), events });
  const values = new Map<string, Array<EntityValue | null>>();
  events.on('test', 'sample', (s) => values.set(s.entityId, [...(values.get(s.entityId) ?? []), s.value]));
  poller.start();
  return { clock, poller, device, requests, values, ids: resolved.entities.map((e) => e.id) };
}

const numbers = (r: Rig, id: string): number[] => (r.values.get(id) ?? []).filter((v): v is number => typeof v === 'number');

describe('a SUN2000 behind an SDongle', () => {
  it('publishes every template value with reads of at most 64 registers, its status as text', async () => {
    rig = build();
    await rig.clock.advance(120_000);
    expect(rig.ids.filter((id) => !rig?.values.has(id))).toEqual([]);
    expect(Math.max(...rig.requests.map((q) => q.count))).toBeLessThanOrEqual(64);
    expect(rig.values.get('sun2000_device_status')?.at(-1)).toBe('On-grid');
    expect(rig.values.get('sun2000_model')?.at(-1)).toBe('SUN2000-5KTL-M1');
  });

  it('never publishes a sentinel as a number: night values show unknown, and come back when the inverter does', async () => {
    rig = build();
    await rig.clock.advance(60_000);
    rig.device.write('holding', 32016, [0x7fff]); // pv1_voltage int16
    rig.device.write('holding', 32069, [0xffff]); // voltage_l1 uint16
    rig.device.write('holding', 32080, [0x7fff, 0xffff]); // active_power int32
    rig.device.write('holding', 32106, [0xffff, 0xffff]); // total_energy uint32
    const before = new Map([...rig.values].map(([id, v]) => [id, v.length]));
    await rig.clock.advance(180_000);
    const night = (id: string) => (rig?.values.get(id) ?? []).slice(before.get(id));
    for (const id of ['sun2000_pv1_voltage', 'sun2000_voltage_l1', 'sun2000_active_power', 'sun2000_total_energy']) {
      expect(night(id).length).toBeGreaterThan(0);
      expect([id, night(id).slice(1).every((v) => v === null)]).toEqual([id, true]); // the first may be a read in flight at the write
    }
    const all = [...rig.values.values()].flat().filter((v): v is number => typeof v === 'number');
    expect(all.filter((v) => [3276.7, 6553.5, 2147483647, 42949672.95, 32767, 65535].includes(v))).toEqual([]);
    rig.device.release('holding', 32016, 1);
    rig.device.release('holding', 32106, 2);
    await rig.clock.advance(120_000);
    expect(rig.values.get('sun2000_pv1_voltage')?.at(-1)).toEqual(expect.any(Number));
    expect(rig.values.get('sun2000_total_energy')?.at(-1)).toEqual(expect.any(Number));
  });

  it('the total yield never drops for a 0 after an error or a dip; a real reset (near zero, then climbing) is published', async () => {
    rig = build();
    await rig.clock.advance(120_000);
    const good = numbers(rig, 'sun2000_total_energy').at(-1) ?? 0;
    expect(good).toBeGreaterThan(10_000);
    rig.device.write('holding', 32106, [0, 0]); // one read of 0
    await rig.clock.advance(60_000);
    rig.device.release('holding', 32106, 2);
    await rig.clock.advance(60_000);
    const dipRaw = Math.round(good * 100 * 0.9); // a dip to 90 %
    rig.device.write('holding', 32106, [Math.floor(dipRaw / 65536), dipRaw % 65536]);
    await rig.clock.advance(180_000);
    rig.device.release('holding', 32106, 2);
    await rig.clock.advance(120_000);
    const seen = numbers(rig, 'sun2000_total_energy');
    expect(seen.every((v, i) => i === 0 || v >= (seen[i - 1] ?? 0))).toBe(true);
    expect(seen).not.toContain(0);
    // a replaced meter / reset inverter: 0, then climbing
    for (const raw of [0, 5, 12, 20]) {
      rig.device.write('holding', 32106, [0, raw]);
      await rig.clock.advance(60_000);
    }
    expect(numbers(rig, 'sun2000_total_energy').at(-1)).toBeLessThan(1);
    expect(rig.poller.entityStatus('sun2000_total_energy')?.countersHeld).toBeGreaterThan(0);
  });
});
