import { afterEach, describe, expect, it } from '@jest/globals';
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { HoleSet } from '../../src/modbus/holes.js';
import { Poller } from '../../src/modbus/poller.js';
import type { PollerEvents, Sample } from '../../src/modbus/pollerTypes.js';
import type { ReadRequest } from '../../src/modbus/transport.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from '../../src/modbus/types.js';
import { SimDevice, type SimPointSpec } from '../../src/sim/simDevice.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';

const CONN: ConnectionDef = {
  name: 'rtu', type: 'rtuovertcp', host: 'gw', port: 502, serialPort: '', baudrate: 9600, parity: 'none',
  dataBits: 8, stopBits: 1, timeoutMs: 1000, messageWaitMs: 0, maxRegistersPerRead: 125, turnaroundMs: 20,
};

function point(id: string, address: number, initial: number, perHour = 0): SimPointSpec {
  return {
    id, name: id, registerType: 'holding', address, dataType: 'uint16',
    process: perHour > 0
      ? { kind: 'walk', initial, step: 5, min: 0, max: 60000, ratePerHour: () => perHour, peakRatePerHour: perHour }
      : { kind: 'constant', initial },
  };
}

function entity(id: string, address: number, scanS = 5, extra: Partial<EntityDef> = {}): EntityDef {
  return {
    id, name: id, connection: 'rtu', unitId: 1, registerType: 'holding', address, dataType: 'uint16', swap: 'none',
    count: 1, scale: 1, offset: 0, precision: undefined, unitOfMeasurement: undefined, deviceClass: undefined,
    stateClass: undefined, scanIntervalMs: scanS * 1000, minIntervalMs: 1000, maxIntervalMs: 600_000, ...extra,
  };
}

interface Rig {
  clock: VirtualClock;
  poller: Poller;
  requests: Array<ReadRequest & { at: number; exception: number | undefined }>;
  samples: Sample[];
  holes: HoleSet;
  device: SimDevice;
  bus: VirtualBus;
}

let rig: Rig | undefined;
afterEach(async () => {
  if (!rig) return;
  const stopped = rig.poller.stop(); // a cycle in flight finishes in virtual time
  await rig.clock.advance(60_000);
  await stopped;
  rig = undefined;
});

function build(points: SimPointSpec[], entities: EntityDef[], ranges: Array<[number, number]> = [[0, 200]]): Rig {
  const clock = new VirtualClock(0);
  const device = new SimDevice({ name: 'dev', unitId: 1, turnaroundMs: 20, ranges: { holding: ranges }, points }, 7, 0);
  const requests: Rig['requests'] = [];
  const bus = new VirtualBus({
    key: busKeyOf(CONN), clock, devices: [device], timing: { baudrate: 9600, roundTripMs: 0 },
    onRequest: (req, at, exception) => requests.push({ ...req, at, exception }),
  });
  const events = new EventBus<PollerEvents>();
  const samples: Sample[] = [];
  events.on('test', 'sample', (s) => samples.push(s));
  const holes = new HoleSet();
  const poller = new Poller({
    clock, logger: createMemoryLogger(), connections: [CONN], entities, buses: new Map([[bus.key, bus]]), holes, events,
  });
  rig = { clock, poller, requests, samples, holes, device, bus };
  return rig;
}

describe('Poller', () => {
  it('reads neighbouring due entities in one block and decodes the device values', async () => {
    const r = build([point('a', 10, 111), point('b', 11, 222), point('c', 14, 333)], [entity('a', 10), entity('b', 11), entity('c', 14)]);
    r.poller.start();
    await r.clock.advance(1000);
    expect(r.requests).toEqual([{ unitId: 1, fn: 3, address: 10, count: 5, at: 0, exception: undefined }]);
    expect(r.samples.map((s) => [s.entityId, s.value])).toEqual([['a', 111], ['b', 222], ['c', 333]]);
  });

  it('polls each entity at its own interval', async () => {
    const r = build([point('fast', 10, 1), point('slow', 100, 2)], [entity('fast', 10, 5), entity('slow', 100, 30)]);
    r.poller.start();
    await r.clock.advance(60_500); // replies arrive ≈ 45 ms after each request
    const count = (id: string) => r.samples.filter((s) => s.entityId === id).length;
    expect(count('fast')).toBe(13); // t = 0, 5, …, 60 s
    expect(count('slow')).toBe(3); // t = 0, 30, 60 s
  });

  it('applies interval changes at runtime, clamped to the entity bounds', async () => {
    const r = build([point('a', 10, 1)], [entity('a', 10, 5, { minIntervalMs: 2000, maxIntervalMs: 20_000 })]);
    r.poller.start();
    await r.clock.advance(1000); // first read done at 45 ms
    expect(r.poller.setIntervalMs('a', 500)).toBe(2000);
    await r.clock.advance(10_000);
    expect(r.requests.map((q) => Math.round(q.at))).toEqual([0, 2000, 4000, 6000, 8000, 10_000]); // multiples of 2 s
    expect(r.poller.setIntervalMs('a', 999_999)).toBe(20_000);
    await r.clock.advance(40_000);
    expect(r.requests.map((q) => Math.round(q.at)).slice(6)).toEqual([40_000]); // the first multiple of 20 s at least 10 s after the last read
  });

  it('readNow reads before the schedule and resolves with the sample', async () => {
    const r = build([point('a', 10, 42)], [entity('a', 10, 300)]);
    r.poller.start();
    await r.clock.advance(10_000);
    const pending = r.poller.readNow('a');
    await r.clock.advance(100);
    const sample = await pending;
    expect(sample).toMatchObject({ entityId: 'a', value: 42, reason: 'trigger' });
    expect(sample.at).toBeCloseTo(10_045.2, 1); // one 9,600-baud request later
    expect(r.requests.length).toBe(2);
  });

  it('marks a change only when the decoded value differs', async () => {
    const r = build([point('moving', 10, 1000, 3600 * 10), point('still', 11, 5)], [entity('moving', 10, 1), entity('still', 11, 1)]);
    r.poller.start();
    await r.clock.advance(30_000);
    expect(r.poller.entityStatus('still')?.changes).toBe(0);
    expect(r.poller.entityStatus('moving')?.changes).toBeGreaterThan(20);
    expect(r.samples.find((s) => s.entityId === 'moving')?.changed).toBe(false); // first read is never a change
  });

  it('bisects a block that hits an illegal address, learns the hole and avoids it afterwards', async () => {
    // readable 0..12 and 20..30: a bridged read 10..21 fails, bisection reads each side, gap 12..20 is a hole
    const r = build([point('left', 10, 1), point('right', 20, 2)], [entity('left', 10), entity('right', 20)], [[0, 12], [20, 30]]);
    r.poller.start();
    await r.clock.advance(6000);
    expect(r.requests.map((q) => [q.address, q.count, q.exception])).toEqual([
      [10, 11, 2], [10, 1, undefined], [20, 1, undefined], // first cycle: bridge, then bisection
      [10, 1, undefined], [20, 1, undefined], // second cycle at 5 s: hole avoided
    ]);
    expect(r.poller.holeList()).toEqual([{ unitId: 1, fn: 3, start: 11, end: 20, bus: 'rtu://gw:502' }]);
    expect(r.samples.filter((s) => s.at < 5000).map((s) => s.value)).toEqual([1, 2]);
  });

  it('starts with holes restored from an earlier run and never bridges them', async () => {
    const r = build([point('left', 10, 1), point('right', 20, 2)], [entity('left', 10), entity('right', 20)], [[0, 12], [20, 30]]);
    expect(r.poller.restoreHoles([{ bus: 'rtu://gw:502', unitId: 1, fn: 3, start: 11, end: 20 }, { bus: 'gone', unitId: 1, fn: 3, start: 0, end: 5 }])).toBe(1);
    r.poller.start();
    await r.clock.advance(1000);
    expect(r.requests.map((q) => [q.address, q.count, q.exception])).toEqual([[10, 1, undefined], [20, 1, undefined]]);
  });

  it('fails only the entity whose own register is illegal', async () => {
    const r = build([point('ok', 10, 7)], [entity('ok', 10), entity('bad', 12)], [[0, 12]]);
    r.poller.start();
    await r.clock.advance(1000);
    expect(r.poller.entityStatus('ok')).toMatchObject({ lastValue: 7, errors: 0 });
    expect(r.poller.entityStatus('bad')).toMatchObject({ illegalAddress: true, errors: 1 });
    await r.clock.advance(60_000); // the bad one is retried only at its max interval
    expect(r.poller.entityStatus('bad')?.errors).toBe(1);
    expect(r.poller.entityStatus('ok')?.polls).toBe(13);
  });

  it('counts overruns and slips instead of queueing when the bus is too slow', async () => {
    // 40 entities far apart (no bridging) at 1 s on a 9,600-baud bus: each request ≈ 45 ms → 1.8 s per cycle
    const ids = Array.from({ length: 40 }, (_, i) => `e${i}`);
    const r = build(ids.map((id, i) => point(id, i * 40, i)), ids.map((id, i) => entity(id, i * 40, 1)), [[0, 2000]]);
    r.poller.start();
    await r.clock.advance(60_000);
    const bus = r.poller.busStatus()[0];
    expect(bus?.overruns).toBeGreaterThan(0);
    expect(r.bus.pending()).toBeLessThanOrEqual(1);
    const polls = r.poller.entityStatus('e0')?.polls ?? 0;
    expect(polls).toBeLessThan(40); // would be 61 at the nominal rate
    expect(polls).toBeGreaterThan(20);
    expect(bus?.modelledBusMs).toBeGreaterThan(50_000); // the bus was busy nearly all the time
  });

  it('stop releases every timer', async () => {
    const r = build([point('a', 10, 1)], [entity('a', 10, 5)]);
    r.poller.start();
    await r.clock.advance(12_000);
    await r.poller.stop();
    expect(r.clock.pendingCount).toBe(0);
    rig = undefined;
  });
});

describe('Poller phases and companions', () => {
  async function run(intervals: [number, number], companions: boolean, rephaseB: boolean): Promise<Array<[number, number, number]>> {
    const r = build([point('a', 10, 1), point('b', 11, 2)], [entity('a', 10, intervals[0]), entity('b', 11, intervals[1])]);
    if (companions) r.poller.setCompanions([['a', 'b']]);
    r.poller.start(); // both read at 0 s
    await r.clock.advance(4000);
    if (rephaseB) {
      const readB = r.poller.readNow('b');
      await r.clock.advance(100);
      await readB;
    }
    await r.clock.advance(56_000);
    const out = r.requests.map((q): [number, number, number] => [Math.round(q.at / 1000), q.address, q.count]);
    const stopped = r.poller.stop();
    await r.clock.advance(1000);
    await stopped;
    rig = undefined;
    return out;
  }

  it('keeps equal intervals in phase: a read out of turn does not split them for good', async () => {
    expect(await run([10, 10], false, true)).toEqual([[0, 10, 2], [4, 11, 1], [10, 10, 2], [20, 10, 2], [30, 10, 2], [40, 10, 2], [50, 10, 2], [60, 10, 2]]);
  });

  it('lets a companion with a longer interval ride along with a member instead of being read alone', async () => {
    const alone = (reqs: Array<[number, number, number]>) => reqs.filter(([, address, count]) => address === 11 && count === 1);
    const apart = await run([10, 25], false, false);
    expect(alone(apart).map(([t]) => t)).toEqual([25]);
    const together = await run([10, 25], true, false);
    expect(alone(together)).toEqual([]);
    expect(together.filter(([, address, count]) => address === 10 && count === 2).map(([t]) => t)).toEqual([0, 20, 40]);
  });
});

describe('a demand cap from other masters', () => {
  it('polls at least as often as the cap while it holds, then the interval asked for applies again', async () => {
    rig = build([point('a', 0, 1)], [entity('a', 0, 60)]);
    rig.poller.start();
    expect(rig.poller.setIntervalMs('a', 120_000)).toBe(120_000);
    rig.poller.setDemandCap('a', 5000);
    expect(rig.poller.intervalMs('a')).toBe(5000);
    const before = rig.requests.length;
    await rig.clock.advance(60_000);
    expect(rig.requests.length - before).toBeGreaterThanOrEqual(11);
    expect(rig.poller.setIntervalMs('a', 300_000)).toBe(5000); // the optimizer's move waits behind the cap
    rig.poller.setDemandCap('a', undefined);
    expect(rig.poller.intervalMs('a')).toBe(300_000);
  });
});

describe('a client\'s read through the poller (Poller.readSpan)', () => {
  const span = (address: number, count: number) => ({ unitId: 1, fn: 3 as const, address, count });
  const at = (r: Rig) => r.requests.map((q) => [Math.round(q.at), q.address, q.count]);

  it('reads the span with the entities inside it, which count as polled', async () => {
    const r = build([point('a', 10, 1), point('b', 11, 2), point('c', 40, 3)], [entity('a', 10, 15), entity('b', 11, 15), entity('c', 40, 15)]);
    r.poller.start();
    await r.clock.advance(5000);
    const read = r.poller.readSpan('rtu', span(10, 3)); // register 12: no entity
    await r.clock.advance(100);
    expect(await read).toBe(true);
    expect(at(r).slice(2)).toEqual([[5000, 10, 3]]); // one request, the span as asked
    expect(r.samples.filter((s) => s.at > 5000).map((s) => [s.entityId, s.reason])).toEqual([['a', 'trigger'], ['b', 'trigger']]);
  });

  it('plans the span with whatever falls due, in one block', async () => {
    const r = build([point('a', 10, 1), point('c', 20, 3)], [entity('a', 10, 15), entity('c', 20, 15)]);
    r.poller.start();
    await r.clock.advance(14_500);
    const read = r.poller.readSpan('rtu', span(10, 3)); // c falls due at 15 s, within the coalescing window
    await r.clock.advance(200);
    expect(await read).toBe(true);
    expect(at(r)).toEqual([[0, 10, 11], [14_500, 10, 11]]); // at 14.5 s, 10…20 in one request instead of two
  });

  it('reads the block with the client\'s span first: the client is waiting', async () => {
    const r = build([point('a', 10, 1), point('c', 100, 3)], [entity('a', 10, 15), entity('c', 100, 15)]);
    r.poller.start();
    await r.clock.advance(14_500);
    const read = r.poller.readSpan('rtu', span(100, 2)); // a falls due at 15 s and joins the cycle
    await r.clock.advance(300);
    expect(await read).toBe(true);
    expect(at(r).slice(2).map(([, address, count]) => [address, count])).toEqual([[100, 2], [10, 1]]);
  });

  it('a client reading about as often as the app polls takes that polling over; one of unknown pace does not', async () => {
    const run = async (period: number | undefined) => {
      // c's cycle at 20 s would pull a forward (due within a quarter of its interval) but for the takeover
      const r = build([point('a', 10, 1), point('c', 40, 3)], [entity('a', 10, 15), entity('c', 40, 5)]);
      r.poller.start();
      await r.clock.advance(5000);
      void r.poller.readSpan('rtu', span(10, 3), () => period);
      await r.clock.advance(25_000);
      const out = at(r).filter(([, address]) => address === 10).map(([t, a, n]) => [Math.round((t ?? 0) / 100) * 100, a, n]);
      const stopped = r.poller.stop();
      await r.clock.advance(60_000);
      await stopped;
      rig = undefined;
      return out;
    };
    // the client would have read it again at 20 s; the app's own poll waits until 5 % past its interval, then its grid again
    expect(await run(15_010)).toEqual([[0, 10, 1], [5000, 10, 3], [20_900, 10, 1], [30_000, 10, 1]]); // 1.05 × 15.01 s after the cycle (c read too) ended
    expect(await run(undefined)).toEqual([[0, 10, 1], [5000, 10, 3], [15_000, 10, 1], [30_000, 10, 1]]); // back on its grid
    expect(await run(60_000)).toEqual([[0, 10, 1], [5000, 10, 3], [15_000, 10, 1], [30_000, 10, 1]]); // a slower client does not
  });

  it('an entity under a demand cap stays on its grid', async () => {
    const r = build([point('a', 10, 1)], [entity('a', 10, 15)]);
    r.poller.start();
    await r.clock.advance(1000);
    r.poller.setDemandCap('a', 5000);
    await r.clock.advance(1000);
    void r.poller.readSpan('rtu', span(10, 3), () => 1000);
    await r.clock.advance(8500);
    expect(at(r).map(([t]) => t)).toEqual([0, 2000, 5000, 10_000]);
  });

  it('registers that answered a client\'s read are taken out of a hole learned across a gap, and then share blocks again', async () => {
    // readable 0..12 and 20..30: the bridged read 10..20 fails and the gap 11..19 is learned, though 11 exists
    const r = build([point('left', 10, 1), point('right', 20, 2)], [entity('left', 10, 15), entity('right', 20, 15)], [[0, 12], [20, 30]]);
    r.poller.start();
    await r.clock.advance(1000);
    expect(r.poller.holeList().map((h) => [h.start, h.end])).toEqual([[11, 20]]);
    r.poller.registersAnswered('rtu', span(10, 2)); // the proxy's own read of 10..11 was answered
    expect(r.poller.holeList().map((h) => [h.start, h.end])).toEqual([[12, 20]]);
    const read = r.poller.readSpan('rtu', span(10, 2));
    await r.clock.advance(200);
    expect(await read).toBe(true);
    expect(at(r).slice(3)).toEqual([[1000, 10, 2]]); // left and the span in one request
  });

  it('resolves false when the span cannot be read', async () => {
    const r = build([point('a', 10, 1)], [entity('a', 10, 15)], [[0, 12]]);
    r.poller.start();
    await r.clock.advance(1000);
    const read = r.poller.readSpan('rtu', span(10, 4)); // 12 and 13 are illegal
    await r.clock.advance(500);
    expect(await read).toBe(false);
    expect(r.samples.filter((s) => s.entityId === 'a')).toHaveLength(2); // a itself read fine in the bisection
    expect(await r.poller.readSpan('elsewhere', span(10, 1))).toBe(false);
  });
});
