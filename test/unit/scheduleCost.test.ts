import { describe, expect, it } from '@jest/globals';
import { readBusTimeMs, timingOf } from '../../src/modbus/costModel.js';
import { NO_HOLES } from '../../src/modbus/readPlan.js';
import { scheduledBusFraction, scheduledLoad } from '../../src/modbus/scheduleCost.js';
import type { ConnectionDef, EntityDef } from '../../src/modbus/types.js';

const CONN: ConnectionDef = {
  name: 'gw', type: 'rtuovertcp', host: 'h', port: 502, serialPort: '', baudrate: 9600, parity: 'none', dataBits: 8,
  stopBits: 1, timeoutMs: 1000, messageWaitMs: 0, maxRegistersPerRead: 125, turnaroundMs: 20,
};
const entity = (id: string, address: number): EntityDef => ({
  id, name: id, connection: 'gw', unitId: 1, registerType: 'holding', address, dataType: 'uint16', swap: 'none', count: 1,
  scale: 1, offset: 0, precision: undefined, unitOfMeasurement: undefined, deviceClass: undefined, stateClass: undefined,
  scanIntervalMs: 16_000, minIntervalMs: 1000, maxIntervalMs: 3_600_000,
});
const timing = timingOf(CONN);
const read = (n: number) => readBusTimeMs(3, n, timing);

describe('modelled bus time of a whole schedule', () => {
  const pair = [entity('a', 0), entity('b', 1)];

  it('reads neighbours on one rung in one block', () => {
    const f = scheduledBusFraction([CONN], pair, () => 16_000, NO_HOLES);
    expect(f).toBeCloseTo(read(2) / 16_000, 12);
  });

  it('moving one to a slower rung saves almost nothing: its block is still read for the other', () => {
    const f = scheduledBusFraction([CONN], pair, (id) => (id === 'a' ? 16_000 : 64_000), NO_HOLES);
    // in 64 s: 3 reads of a alone, 1 of both (the rungs coincide)
    expect(f).toBeCloseTo((3 * read(1) + read(2)) / 64_000, 12);
    const amortised = read(2) / 2 / 16_000 + read(2) / 2 / 64_000; // what per-entity shares would claim
    expect(f).toBeGreaterThan(amortised);
  });

  it('handles intervals off the ladder through their common multiple, and skips entities without one', () => {
    const f = scheduledBusFraction([CONN], pair, (id) => (id === 'a' ? 15_000 : 16_000), NO_HOLES);
    // lcm 240 s: 16 reads of a, 15 of b, together at 0 only
    expect(f).toBeCloseTo((read(2) + 15 * read(1) + 14 * read(1)) / 240_000, 12);
    expect(scheduledBusFraction([CONN], pair, () => undefined, NO_HOLES)).toBe(0);
  });

  it('counts requests in the same pass: a far entity on a faster rung adds requests, not only wire time', () => {
    const far = [entity('a', 0), entity('b', 1), entity('c', 500)];
    const load = scheduledLoad([CONN], far, (id) => (id === 'c' ? 8_000 : 16_000), NO_HOLES);
    // in 16 s: one block of a and b, two reads of c alone
    expect(load.requestsPerMs).toBeCloseTo(3 / 16_000, 15);
    expect(load.busFraction).toBeCloseTo((read(2) + 2 * read(1)) / 16_000, 12);
  });
});
