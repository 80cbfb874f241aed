/**
 * RTU over a serial line, end to end: the Bus and the modbus-serial Link (connectRTUBuffered) on one
 * end of a socat pty pair, a pymodbus 3.0 RTU serial server on the other. Checks values, a write
 * read back, an exception, and the requests the server says it served.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSystemClock } from '../../src/core/clock.js';
import { ModbusExceptionError } from '../../src/core/errors.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { createBus } from '../../src/modbus/bus.js';
import { createModbusSerialLink } from '../../src/modbus/link.js';
import type { Bus } from '../../src/modbus/transport.js';
import { busKeyOf } from '../../src/modbus/types.js';
import { loopbackConnection, rejectionOf } from '../helpers/ports.js';
import { startPtyPair, type PtyPair } from '../helpers/ptyPair.js';
import { startPymodbusServer, type PymodbusServer } from '../helpers/pymodbusServer.js';

describe('RTU serial transport against pymodbus over a pty pair', () => {
  let pty: PtyPair;
  let server: PymodbusServer;
  let bus: Bus;

  beforeAll(async () => {
    pty = await startPtyPair();
    server = await startPymodbusServer({
      mode: 'serial',
      serialPort: pty.b,
      baudrate: 9600,
      units: {
        3: { holding: { 0: [100, 200, 300, 400] }, input: { 20: [0xbeef, 7] }, coils: { 0: [1, 1, 0, 1] } },
      },
    });
    const conn = loopbackConnection({ name: 'rs485', type: 'serial', serialPort: pty.a, baudrate: 9600, timeoutMs: 1_000 });
    bus = createBus({
      key: busKeyOf(conn),
      connectionName: conn.name,
      createLink: () => createModbusSerialLink(conn),
      clock: createSystemClock(),
      random: () => 0.5,
      logger: createMemoryLogger(),
      options: { messageWaitMs: 5 },
    });
    await bus.start();
  });

  afterAll(async () => {
    await bus?.stop();
    await server?.stop();
    await pty?.stop();
  });

  it('reads, writes and reads back, with the server log matching', async () => {
    expect((await bus.read({ unitId: 3, fn: 3, address: 0, count: 4 })).data).toEqual([100, 200, 300, 400]);
    expect((await bus.read({ unitId: 3, fn: 4, address: 20, count: 2 })).data).toEqual([0xbeef, 7]);
    expect((await bus.read({ unitId: 3, fn: 1, address: 0, count: 4 })).data).toEqual([1, 1, 0, 1]);
    await bus.writeRegisters({ unitId: 3, address: 1, values: [201, 301] });
    expect((await bus.read({ unitId: 3, fn: 3, address: 0, count: 4 })).data).toEqual([100, 201, 301, 400]);
    const err = await rejectionOf(bus.read({ unitId: 3, fn: 4, address: 0, count: 1 }));
    expect(err).toBeInstanceOf(ModbusExceptionError);
    expect((err as ModbusExceptionError).code).toBe(2);
    expect((err as ModbusExceptionError).context).toEqual({ connection: 'rs485', unitId: 3, fn: 4, address: 0, count: 1 });

    const seen = await server.waitForRequests(6);
    expect(seen.map(({ op, unit, fc, address, count, values }) => ({ op, unit, fc, address, count, values }))).toEqual([
      { op: 'read', unit: 3, fc: 3, address: 0, count: 4, values: undefined },
      { op: 'read', unit: 3, fc: 4, address: 20, count: 2, values: undefined },
      { op: 'read', unit: 3, fc: 1, address: 0, count: 4, values: undefined },
      { op: 'write', unit: 3, fc: 16, address: 1, count: 2, values: [201, 301] },
      { op: 'read', unit: 3, fc: 3, address: 0, count: 4, values: undefined },
      { op: 'rejected', unit: 3, fc: 4, address: 0, count: 1, values: undefined },
    ]);
    expect(bus.counters()).toMatchObject({ requests: 6, errors: 1, timeouts: 0, reconnects: 0 });
  });
});
