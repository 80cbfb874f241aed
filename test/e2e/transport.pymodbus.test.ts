/**
 * Bus + modbus-serial Link against a real pymodbus 3.0 TCP server in its own process: exact values
 * for every read function, writes read back, the server's own log of what it served, typed errors
 * with context, a dead unit on a shared gateway, and recovery after the server is killed and
 * restarted on the same port.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSystemClock } from '../../src/core/clock.js';
import { ModbusConnectionError, ModbusExceptionError, ModbusTimeoutError } from '../../src/core/errors.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { createBus } from '../../src/modbus/bus.js';
import { createModbusSerialLink } from '../../src/modbus/link.js';
import type { Bus } from '../../src/modbus/transport.js';
import { busKeyOf, type ConnectionDef } from '../../src/modbus/types.js';
import { freePort, loopbackConnection, rejectionOf } from '../helpers/ports.js';
import { startPymodbusServer, type PymodbusServer, type PymodbusUnit } from '../helpers/pymodbusServer.js';

const UNITS: Record<number, PymodbusUnit> = {
  1: {
    holding: { 0: [0x1234, 0xabcd, 65535, 0, 42], 100: [7, 8, 9] },
    input: { 0: [1000, 2000, 3000] },
    coils: { 0: [1, 0, 1, 1, 0, 0, 0, 1, 1] },
    discrete: { 10: [0, 1, 1] },
  },
  2: { holding: { 0: [4242, 1] } },
};

function makeBus(conn: ConnectionDef): { bus: Bus; logger: ReturnType<typeof createMemoryLogger> } {
  const logger = createMemoryLogger();
  const bus = createBus({
    key: busKeyOf(conn),
    connectionName: conn.name,
    createLink: () => createModbusSerialLink(conn),
    clock: createSystemClock(),
    random: () => 0.5,
    logger,
    options: { messageWaitMs: 0, reconnectBaseMs: 100, reconnectMaxMs: 400, unitBackoffBaseMs: 2_000 },
  });
  return { bus, logger };
}

describe('transport against a pymodbus TCP server', () => {
  let port: number;
  let server: PymodbusServer;
  let conn: ConnectionDef;
  let bus: Bus;
  let logger: ReturnType<typeof createMemoryLogger>;

  beforeAll(async () => {
    port = await freePort();
    server = await startPymodbusServer({ mode: 'tcp', port, units: UNITS });
    conn = loopbackConnection({ name: 'pymodbus', port, timeoutMs: 500 });
    ({ bus, logger } = makeBus(conn));
    await bus.start();
  });

  afterAll(async () => {
    await bus.stop();
    await server.stop();
  });

  it('reads fc 3/4/1/2 with exact values, and the server saw exactly those requests', async () => {
    server.clearRequests();
    expect((await bus.read({ unitId: 1, fn: 3, address: 0, count: 5 })).data).toEqual([0x1234, 0xabcd, 65535, 0, 42]);
    expect((await bus.read({ unitId: 1, fn: 4, address: 0, count: 3 })).data).toEqual([1000, 2000, 3000]);
    expect((await bus.read({ unitId: 1, fn: 1, address: 0, count: 9 })).data).toEqual([1, 0, 1, 1, 0, 0, 0, 1, 1]);
    const reply = await bus.read({ unitId: 1, fn: 2, address: 10, count: 3 });
    expect(reply.data).toEqual([0, 1, 1]);
    expect(reply.durationMs).toBeGreaterThanOrEqual(0);
    const seen = await server.waitForRequests(4);
    expect(seen.map(({ op, unit, fc, address, count }) => ({ op, unit, fc, address, count }))).toEqual([
      { op: 'read', unit: 1, fc: 3, address: 0, count: 5 },
      { op: 'read', unit: 1, fc: 4, address: 0, count: 3 },
      { op: 'read', unit: 1, fc: 1, address: 0, count: 9 },
      { op: 'read', unit: 1, fc: 2, address: 10, count: 3 },
    ]);
    expect(logger.lines.filter((l) => l.includes('connected'))).toHaveLength(1);
  });

  it('writes registers (fc 16) and a coil (fc 5), and reads them back', async () => {
    server.clearRequests();
    await bus.writeRegisters({ unitId: 1, address: 100, values: [11, 22, 33] });
    expect((await bus.read({ unitId: 1, fn: 3, address: 100, count: 3 })).data).toEqual([11, 22, 33]);
    await bus.writeCoil({ unitId: 1, address: 2, value: false });
    expect((await bus.read({ unitId: 1, fn: 1, address: 0, count: 4 })).data).toEqual([1, 0, 0, 1]);
    const seen = await server.waitForRequests(4);
    expect(seen.map(({ op, fc, address, count, values }) => ({ op, fc, address, count, values }))).toEqual([
      { op: 'write', fc: 16, address: 100, count: 3, values: [11, 22, 33] },
      { op: 'read', fc: 3, address: 100, count: 3, values: undefined },
      { op: 'write', fc: 5, address: 2, count: 1, values: [0] },
      { op: 'read', fc: 1, address: 0, count: 4, values: undefined },
    ]);
  });

  it('reports an illegal address as exception 2 with context, and carries on', async () => {
    server.clearRequests();
    const err = await rejectionOf(bus.read({ unitId: 1, fn: 3, address: 50, count: 2 }));
    expect(err).toBeInstanceOf(ModbusExceptionError);
    const ex = err as ModbusExceptionError;
    expect(ex.code).toBe(2);
    expect(ex.context).toEqual({ connection: 'pymodbus', unitId: 1, fn: 3, address: 50, count: 2 });
    expect(ex.message).toContain('pymodbus unit 1 fc3 @50+2');
    expect(ex.cause).toBeDefined();
    expect((await bus.read({ unitId: 1, fn: 3, address: 0, count: 1 })).data).toEqual([0x1234]);
    const seen = await server.waitForRequests(2);
    expect(seen.map((r) => [r.op, r.address, r.count])).toEqual([['rejected', 50, 2], ['read', 0, 1]]);
  });

  it('serves two units on one connection', async () => {
    server.clearRequests();
    expect((await bus.read({ unitId: 2, fn: 3, address: 0, count: 2 })).data).toEqual([4242, 1]);
    expect((await bus.read({ unitId: 1, fn: 3, address: 3, count: 2 })).data).toEqual([0, 42]);
    expect((await bus.read({ unitId: 2, fn: 3, address: 1, count: 1 })).data).toEqual([1]);
    const seen = await server.waitForRequests(3);
    expect(seen.map((r) => [r.unit, r.address, r.count])).toEqual([[2, 0, 2], [1, 3, 2], [2, 1, 1]]);
  });

  it('backs off a unit that never answers without holding up the others', async () => {
    const first = await rejectionOf(bus.read({ unitId: 9, fn: 3, address: 0, count: 1 }));
    expect(first).toBeInstanceOf(ModbusTimeoutError);
    const sentBefore = bus.counters().requests;
    const fast = await rejectionOf(bus.read({ unitId: 9, fn: 3, address: 0, count: 1 }));
    expect(bus.counters().requests).toBe(sentBefore); // refused without touching the wire, so no timeout to wait for
    expect((fast as Error).message).toMatch(/unit 9 not responding, retry in \d+ ms/);
    expect((await bus.read({ unitId: 2, fn: 3, address: 0, count: 1 })).data).toEqual([4242]);
    expect(bus.counters().timeouts).toBe(1);
  });

  it('fails fast while the server is gone and recovers when it is back on the same port', async () => {
    const inFlight = Array.from({ length: 20 }, (_, i) => bus.read({ unitId: 1, fn: 3, address: i % 5, count: 1 }));
    await inFlight[0];
    await server.stop('SIGKILL');
    const outcomes = await Promise.allSettled(inFlight);
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(failures.length).toBeGreaterThan(0); // killed mid-run: the rest of the batch was cut off
    expect(failures.every((e) => e instanceof ModbusConnectionError)).toBe(true);

    const down = await rejectionOf(bus.read({ unitId: 1, fn: 3, address: 0, count: 1 }));
    expect(down).toBeInstanceOf(ModbusConnectionError);
    expect(bus.pending()).toBe(0);

    server = await startPymodbusServer({ mode: 'tcp', port, units: UNITS });
    const data = await readUntilUp(bus);
    expect(data).toEqual([0x1234]);
    expect(await server.waitForRequests(1)).toEqual([expect.objectContaining({ op: 'read', unit: 1, fc: 3, address: 0, count: 1 })]);
    expect(bus.counters().reconnects).toBeGreaterThanOrEqual(1);
    const warnings = logger.lines.filter((l) => l.startsWith('WARNING') && l.includes('pymodbus'));
    expect(warnings.filter((l) => l.includes('retrying in'))).toHaveLength(1);
    expect(logger.lines.some((l) => l.startsWith('INFO') && l.includes('reconnected'))).toBe(true);
  });
});

/** Polls like a poller would until the bus is back; every failure meanwhile is a connection error. */
async function readUntilUp(bus: Bus, timeoutMs = 15_000): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return (await bus.read({ unitId: 1, fn: 3, address: 0, count: 1 })).data;
    } catch (err) {
      expect(err).toBeInstanceOf(ModbusConnectionError);
      if (performance.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('rtuovertcp against a pymodbus TCP server speaking RTU frames', () => {
  let server: PymodbusServer;
  let bus: Bus;

  beforeAll(async () => {
    const port = await freePort();
    server = await startPymodbusServer({ mode: 'tcp', port, framer: 'rtu', units: UNITS });
    ({ bus } = makeBus(loopbackConnection({ name: 'gateway', type: 'rtuovertcp', port, timeoutMs: 1_000 })));
  });

  afterAll(async () => {
    await bus.stop();
    await server.stop();
  });

  it('reads, writes and gets exceptions through raw RTU framing', async () => {
    expect((await bus.read({ unitId: 1, fn: 4, address: 0, count: 3 })).data).toEqual([1000, 2000, 3000]);
    await bus.writeRegisters({ unitId: 1, address: 101, values: [5] });
    expect((await bus.read({ unitId: 1, fn: 3, address: 100, count: 3 })).data).toEqual([7, 5, 9]);
    const err = await rejectionOf(bus.read({ unitId: 1, fn: 3, address: 200, count: 1 }));
    expect(err).toBeInstanceOf(ModbusExceptionError);
    const seen = await server.waitForRequests(4);
    expect(seen.map((r) => [r.op, r.fc, r.address])).toEqual([['read', 4, 0], ['write', 16, 101], ['read', 3, 100], ['rejected', 3, 200]]);
  });
});
