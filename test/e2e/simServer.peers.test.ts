import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createSystemClock } from '../../src/core/clock.js';
import { SimModbusTcpServer, type ServedRequest } from '../../src/sim/modbusTcpServer.js';
import { SimDevice, type SimDeviceSpec } from '../../src/sim/simDevice.js';
import { SYSTEM_PYTHON } from '../helpers/pymodbusServer.js';

/**
 * The simulator's Modbus server (framing and request checks from src/modbus/server) answering
 * clients nobody here wrote: mbpoll (libmodbus) over Modbus TCP, and pymodbus's RTU framer over TCP
 * for the RTU-over-TCP gateway mode — reads, writes and exception replies.
 */
const run = promisify(execFile);

const DEVICE: SimDeviceSpec = {
  name: 'plc', unitId: 1, turnaroundMs: 0,
  ranges: { holding: [[0, 20]], coil: [[0, 16]], input: [[100, 110]] },
  points: [
    { id: 'a', name: 'A', registerType: 'holding', address: 0, dataType: 'uint16', process: { kind: 'constant', initial: 1234 } },
    { id: 'b', name: 'B', registerType: 'holding', address: 2, dataType: 'uint16', process: { kind: 'constant', initial: 65535 } },
    { id: 'c', name: 'C', registerType: 'input', address: 101, dataType: 'uint16', process: { kind: 'constant', initial: 7 } },
    { id: 'd', name: 'D', registerType: 'coil', address: 3, dataType: 'bool', process: { kind: 'constant', initial: 1 } },
  ],
};

async function mbpoll(port: number, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('mbpoll', ['-m', 'tcp', '-p', String(port), '-0', '-1', '-o', '2', ...args], { timeout: 15_000 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`; // mbpoll exits non-zero when the device answered an exception
  }
}

/** `[ref]: value` lines of mbpoll's output. */
const valuesOf = (out: string): number[] => [...out.matchAll(/^\[\d+\]:\s+(-?\d+)/gm)].map((m) => Number(m[1]));

describe('the simulator Modbus TCP server answers mbpoll', () => {
  let server: SimModbusTcpServer;
  let port: number;
  const served: ServedRequest[] = [];
  beforeAll(async () => {
    const clock = createSystemClock();
    server = new SimModbusTcpServer({ clock, devices: [new SimDevice(DEVICE, 1, clock.now())], onRequest: (r) => served.push(r) });
    port = await server.start();
  });
  afterAll(async () => server.stop());

  it('reads holding registers, input registers and coils', async () => {
    expect(valuesOf(await mbpoll(port, ['-a', '1', '-r', '0', '-c', '4', '127.0.0.1']))).toEqual([1234, 0, 65535, 0]);
    expect(valuesOf(await mbpoll(port, ['-a', '1', '-t', '3', '-r', '100', '-c', '3', '127.0.0.1']))).toEqual([0, 7, 0]);
    expect(valuesOf(await mbpoll(port, ['-a', '1', '-t', '0', '-r', '0', '-c', '5', '127.0.0.1']))).toEqual([0, 0, 0, 1, 0]);
  });

  it('writes a register (fc 6) and several (fc 16), and reads them back', async () => {
    await mbpoll(port, ['-a', '1', '-r', '10', '127.0.0.1', '42']);
    await mbpoll(port, ['-a', '1', '-r', '12', '127.0.0.1', '7', '8', '9']);
    expect(valuesOf(await mbpoll(port, ['-a', '1', '-r', '10', '-c', '5', '127.0.0.1']))).toEqual([42, 0, 7, 8, 9]);
    expect(served.filter((r) => r.fn === 6 || r.fn === 16).map((r) => [r.fn, r.address, r.count])).toEqual([[6, 10, 1], [16, 12, 3]]);
  });

  it('answers an unmapped address with exception 2 and an absent unit with exception 11', async () => {
    expect(await mbpoll(port, ['-a', '1', '-r', '50', '-c', '2', '127.0.0.1'])).toMatch(/Illegal data address/i);
    expect(await mbpoll(port, ['-a', '9', '-r', '0', '127.0.0.1'])).toMatch(/Target device failed to respond/i);
    expect(served.slice(-2).map((r) => [r.unitId, r.exception])).toEqual([[1, 2], [9, 11]]);
  });
});

describe('the simulator server in RTU-over-TCP mode answers pymodbus RTU framing', () => {
  let server: SimModbusTcpServer;
  let port: number;
  beforeAll(async () => {
    const clock = createSystemClock();
    server = new SimModbusTcpServer({ clock, devices: [new SimDevice(DEVICE, 1, clock.now())], framing: 'rtu' });
    port = await server.start();
  });
  afterAll(async () => server.stop());

  it('reads, writes and reports an exception through CRC-checked frames', async () => {
    const script = `
import json, sys
from pymodbus.client import ModbusTcpClient
from pymodbus.transaction import ModbusRtuFramer
c = ModbusTcpClient('127.0.0.1', port=${port}, framer=ModbusRtuFramer, timeout=2, retries=0)
assert c.connect()
out = {}
out['read'] = c.read_holding_registers(0, 3, slave=1).registers
c.write_registers(5, [11, 22], slave=1)
out['back'] = c.read_holding_registers(5, 2, slave=1).registers
r = c.read_holding_registers(60, 1, slave=1)
out['exception'] = r.exception_code if r.isError() else None
c.close()
print(json.dumps(out))
`;
    const { stdout } = await run(SYSTEM_PYTHON, ['-c', script], { timeout: 20_000 });
    expect(JSON.parse(stdout.trim().split('\n').pop() ?? '{}')).toEqual({ read: [1234, 0, 65535], back: [11, 22], exception: 2 });
  });
});
