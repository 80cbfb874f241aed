/**
 * A Link to simulated devices in virtual time, for tests of the real Bus (queue, pacing, back-off,
 * sleeping units, reconnects) without sockets: each request is answered by the simulated device after
 * its modelled line time, an exception as the typed error a real link throws, and a device that stays
 * silent as a timeout after the connection's timeout — just as modbus-serial would report them.
 */
import { sleep, type Clock } from '../core/clock.js';
import { readBusTimeMs, timingOf } from '../modbus/costModel.js';
import type { Link, ReadRequest, WriteCoilRequest, WriteRegistersRequest } from '../modbus/transport.js';
import type { ConnectionDef } from '../modbus/types.js';
import type { SimDevice, SimReadResult } from './simDevice.js';
import { simOutcome } from './simOutcome.js';

export function createSimLink(conn: ConnectionDef, clock: Clock, devices: readonly SimDevice[]): Link {
  const units = new Map(devices.map((d) => [d.spec.unitId, d]));
  let open = false;
  const answer = async (ctx: { unitId: number; fn: number; address: number; count: number }, result: SimReadResult, costMs: number): Promise<number[]> => {
    const timeoutMs = conn.unitLimits?.get(ctx.unitId)?.timeoutMs ?? conn.timeoutMs;
    const outcome = simOutcome(result, costMs, timeoutMs, { connection: conn.name, ...ctx });
    await sleep(clock, outcome.waitMs);
    if ('error' in outcome) throw outcome.error;
    return outcome.data;
  };
  const cost = (req: { unitId: number; fn: 1 | 2 | 3 | 4; count: number }) =>
    readBusTimeMs(req.fn, req.count, { ...timingOf(conn), turnaroundMs: units.get(req.unitId)?.spec.turnaroundMs ?? conn.turnaroundMs });
  /** A unit nobody answers for: silence on a serial line (a gateway would say exception 11). */
  const silentUnit = (): SimReadResult => ({ silent: true });
  return {
    connect: () => { open = true; return Promise.resolve(); },
    isOpen: () => open,
    close: () => { open = false; return Promise.resolve(); },
    read: (req: ReadRequest) => {
      const device = units.get(req.unitId);
      const result = device ? device.read(req.fn, req.address, req.count, clock.now()) : silentUnit();
      return answer(req, result, cost(req));
    },
    writeRegisters: async (req: WriteRegistersRequest) => {
      const device = units.get(req.unitId);
      const result = device ? device.write('holding', req.address, req.values) : silentUnit();
      await answer({ unitId: req.unitId, fn: req.single ? 6 : 16, address: req.address, count: req.values.length }, result, cost({ unitId: req.unitId, fn: 3, count: 1 }));
    },
    writeCoil: async (req: WriteCoilRequest) => {
      const device = units.get(req.unitId);
      const result = device ? device.write('coil', req.address, [req.value ? 1 : 0]) : silentUnit();
      await answer({ unitId: req.unitId, fn: 5, address: req.address, count: 1 }, result, cost({ unitId: req.unitId, fn: 1, count: 1 }));
    },
  };
}
