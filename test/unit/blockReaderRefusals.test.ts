// A read the bus refused without sending it (a unit or connection backing off) costs no bus time and
// teaches nothing about the device: it is not counted as a request, and a refused long block never
// lowers the unit's learned read size the way a real timeout of that block would.
import { describe, expect, it } from '@jest/globals';
import { ModbusTimeoutError } from '../../src/core/errors.js';
import { readBlock, type BlockReadContext } from '../../src/modbus/blockReader.js';
import { HoleSet } from '../../src/modbus/holes.js';
import type { BlockRequest } from '../../src/modbus/planner.js';
import { ReadSizes } from '../../src/modbus/readSizes.js';
import type { Bus, ReadRequest } from '../../src/modbus/transport.js';

const block: BlockRequest = {
  unitId: 1, fn: 3, address: 0, count: 40,
  items: [{ key: 'a', unitId: 1, fn: 3, address: 0, count: 1 }, { key: 'b', unitId: 1, fn: 3, address: 39, count: 1 }],
};

function rig(notSent: boolean) {
  const requests: number[] = [];
  const learned: number[] = [];
  const sizes = new ReadSizes();
  sizes.succeeded(1, 10);
  const bus = {
    read: (req: ReadRequest) => (req.count === 1 ? Promise.resolve({ data: [7], durationMs: 5 })
      : Promise.reject(new ModbusTimeoutError('no answer', { connection: 'c', ...req }, { notSent }))),
  } as unknown as Bus;
  const ctx: BlockReadContext = {
    bus, timing: { baudrate: 9600, turnaroundMs: 20, roundTripMs: 0 }, holes: new HoleSet(), sizes, now: () => 0,
    onRequest: (registers) => requests.push(registers), onHole: () => undefined, onReadSize: (_u, n) => learned.push(n),
  };
  return { ctx, requests, learned };
}

describe('reads refused without being sent', () => {
  it('are not requests and teach no read size; real timeouts of the same block do', async () => {
    const refused = rig(true);
    for (let i = 0; i < 3; i++) {
      const out = await readBlock(refused.ctx, block);
      expect(out.get('a')).toMatchObject({ ok: false });
    }
    expect(refused.requests).toEqual([]);
    expect(refused.learned).toEqual([]);
    const timedOut = rig(false);
    for (let i = 0; i < 3; i++) await readBlock(timedOut.ctx, block);
    expect(timedOut.requests).toEqual([40, 40, 40]);
    expect(timedOut.learned.length).toBeGreaterThan(0); // a second timeout above every success is evidence
  });
});
