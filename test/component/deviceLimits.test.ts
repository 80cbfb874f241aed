/**
 * Devices as they are (issue 14, items 1, 2 and 8): an SDM630 behind a gateway refuses reads over its
 * limit, the template's declared 80 registers keep every read within it, and a unit whose real limit
 * is lower — answered with exception 3, or with silence — is learned, so every template value, the
 * energy counters included, is published within two minutes of start. The real poller, the simulated
 * meter (its map is the template's) on a virtual 9,600-baud bus, in virtual time.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/config/resolve.js';
import { EventBus } from '../../src/core/eventBus.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { Poller } from '../../src/modbus/poller.js';
import type { PollerEvents } from '../../src/modbus/pollerTypes.js';
import type { ReadRequest } from '../../src/modbus/transport.js';
import { busKeyOf } from '../../src/modbus/types.js';
import { meterDevice } from '../../src/sim/devices/meter.js';
import { SimDevice } from '../../src/sim/simDevice.js';
import { VirtualBus } from '../../src/sim/virtualBus.js';

interface Rig {
  clock: VirtualClock;
  poller: Poller;
  requests: Array<ReadRequest & { exception: number | undefined }>;
  /** First time (virtual ms from start) each entity published a value. */
  firstSample: Map<string, number>;
  entityIds: string[];
  logger: ReturnType<typeof createMemoryLogger>;
}

let rig: Rig | undefined;
afterEach(async () => {
  if (!rig) return;
  const stopped = rig.poller.stop();
  await rig.clock.advance(60_000);
  await stopped;
  rig = undefined;
});

/** The SDM630 template on unit 2 of a gateway; the simulated meter serves at most `limit` registers. */
function build(device: { limit: number; oversize: 'exception' | 'silence'; maxGap?: number; extended?: boolean }, deviceOptions: Record<string, unknown> = {}): Rig {
  const resolved = resolveOptions({
    connections: [{ name: 'gw', type: 'rtuovertcp', host: 'gw', port: 502, timeout_ms: 1000 }],
    devices: [{ template: 'eastron_sdm630', connection: 'gw', unit_id: 2, ...deviceOptions }],
  });
  const clock = new VirtualClock(Date.UTC(2026, 0, 5));
  const meter = new SimDevice(meterDevice({ name: 'meter', unitId: 2, turnaroundMs: 10, maxRegistersPerRead: device.limit, oversize: device.oversize, extended: device.extended ?? false, ...(device.maxGap !== undefined ? { maxGap: device.maxGap } : {}) }), 5, clock.now());
  const conn = resolved.connections[0];
  if (!conn) throw new Error('no connection');
  const requests: Rig['requests'] = [];
  const bus = new VirtualBus({
    key: busKeyOf(conn), clock, devices: [meter], timing: { baudrate: 9600, roundTripMs: 1 }, timeoutMs: 1000,
    onRequest: (req, _at, exception) => requests.push({ ...req, exception }),
  });
  const events = new EventBus<PollerEvents>();
  const logger = createMemoryLogger();
  const poller = new Poller({ clock, logger, connections: resolved.connections, entities: resolved.entities, buses: new Map([[bus.key, bus]]), events });
  const firstSample = new Map<string, number>();
  const start = clock.now();
  events.on('test', 'sample', (s) => { if (!firstSample.has(s.entityId)) firstSample.set(s.entityId, clock.now() - start); });
  poller.start();
  return { clock, poller, requests, firstSample, entityIds: resolved.entities.map((e) => e.id), logger };
}

function unpublished(r: Rig): string[] {
  return r.entityIds.filter((id) => !r.firstSample.has(id));
}

describe('device read limits', () => {
  it('the template declares 80 registers: no read of the meter is longer, none is refused, every value (energy included) is out at once', async () => {
    rig = build({ limit: 80, oversize: 'exception' });
    await rig.clock.advance(120_000);
    expect(unpublished(rig)).toEqual([]);
    expect(rig.firstSample.get('sdm630_import_energy')).toBeLessThan(5_000);
    expect(Math.max(...rig.requests.map((q) => q.count))).toBeLessThanOrEqual(80);
    expect(rig.requests.filter((q) => q.exception === 3)).toEqual([]); // exception 2 teaches the meter's unmapped gaps (holes)
  });

  it('without the declaration (the option raised to 125) the first 88-register read is refused, split, and 80 is learned', async () => {
    rig = build({ limit: 80, oversize: 'exception' }, { max_registers_per_read: 125 });
    await rig.clock.advance(120_000);
    expect(unpublished(rig)).toEqual([]);
    const refused = rig.requests.filter((q) => q.exception === 3);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(4); // a binary search, not a refusal per cycle
    const late = rig.requests.slice(-20);
    expect(late.every((q) => q.exception !== 3)).toBe(true);
    const [learned] = rig.poller.readSizeList();
    expect(learned?.unitId).toBe(2);
    expect(learned?.maxRegisters).toBeLessThanOrEqual(80);
    expect(learned?.smallestRefused).toBeGreaterThan(80); // nothing the meter serves was called too long
    expect(rig.logger.lines.some((l) => /unit 2: a read of \d+ registers was refused while smaller reads work; reading at most \d+ at a time/.test(l))).toBe(true);
  });

  it('a meter that refuses above 50 with exception 3, despite the manual: every value within two minutes, and 50 learned', async () => {
    rig = build({ limit: 50, oversize: 'exception' });
    await rig.clock.advance(120_000);
    expect(unpublished(rig)).toEqual([]);
    await rig.clock.advance(600_000);
    // the search stops where the plan stops needing longer reads: the cap may sit above 50 while no block needs 51…cap
    const [learned] = rig.poller.readSizeList();
    expect(learned?.largestOk).toBeLessThanOrEqual(50);
    expect(learned?.smallestRefused).toBeGreaterThan(50);
    const after = rig.requests.slice(-30);
    expect(after.every((q) => q.exception !== 3 && q.count <= 50)).toBe(true);
  });

  it('a meter that stays silent above 50: two timeouts teach the size, then every value is out within two minutes', async () => {
    rig = build({ limit: 50, oversize: 'silence' });
    await rig.clock.advance(120_000);
    expect(unpublished(rig)).toEqual([]);
    await rig.clock.advance(600_000);
    expect(rig.poller.readSizeList()[0]?.smallestRefused).toBeGreaterThan(50);
    const last = rig.requests.slice(-30);
    expect(last.every((q) => q.count <= 50)).toBe(true);
    expect(rig.logger.lines.filter((l) => /not responding/.test(l)).length).toBeLessThanOrEqual(1); // no timeout storm
  });

  it('a meter that refuses any unmapped register inside a read: the gap is learned, not a smaller size', async () => {
    // every template row mapped (extended), so only the gaps between them are unmapped
    rig = build({ limit: 80, oversize: 'exception', maxGap: 0, extended: true });
    await rig.clock.advance(120_000);
    expect(unpublished(rig)).toEqual([]);
    await rig.clock.advance(600_000);
    const [learned] = rig.poller.readSizeList();
    // the search stops where the plan stops bridging: the cap may sit above 0 while no block has such a gap
    expect(learned?.smallestRefusedGap).toBeGreaterThan(0);
    expect(learned?.maxGap).toBeLessThan(learned?.smallestRefusedGap ?? 0);
    expect(learned?.smallestRefused).toBeUndefined(); // the size was never the reason
    const late = rig.requests.slice(-30);
    expect(late.every((q) => q.exception !== 3)).toBe(true);
    expect(Math.max(...late.map((q) => q.count))).toBeGreaterThan(8); // gapless runs still read as long blocks
    expect(rig.logger.lines.some((l) => /unit 2: a read of \d+ registers was refused for the unmapped registers inside it; bridging at most \d+ at a time/.test(l))).toBe(true);
  });
});
