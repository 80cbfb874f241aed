// The caching Modbus TCP proxy inside the real app, polled by clients nobody here wrote — Debian's
// mbpoll, a pymodbus client and modbus-serial — against a pymodbus device: values equal the device's,
// a read within max_age costs the device nothing, exceptions and transaction ids pass through byte for
// byte, writes are refused on a read-only proxy and on registers without permission and pass (audited)
// where allowed, clients outside allowed_clients and malformed frames are refused without harm.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import ModbusRTU from 'modbus-serial';
import { createApp, type App } from '../../src/app.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { resolveProxies } from '../../src/config/proxies.js';
import { createSystemClock } from '../../src/core/clock.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { freePort } from '../helpers/ports.js';
import { startPymodbusServer, SYSTEM_PYTHON, type PymodbusServer } from '../helpers/pymodbusServer.js';

const run = promisify(execFile);
const HOLDING = [100, 101, 102, 103, 104, 105, 106, 107, 108, 109];

let device: PymodbusServer;
let app: App;
let logger: ReturnType<typeof createMemoryLogger>;
let ro: number;
let rw: number;
let closed: number;

beforeAll(async () => {
  const devicePort = await freePort();
  device = await startPymodbusServer({ mode: 'tcp', port: devicePort, units: { 1: { holding: Object.fromEntries(HOLDING.map((v, i) => [i, v])), coils: [1, 0, 1, 0] } } });
  [ro, rw, closed] = [await freePort(), await freePort(), await freePort()];
  const resolved = resolveOptions({
    connections: [{ name: 'dev', host: '127.0.0.1', port: devicePort, timeout_ms: 1000 }],
    entities: [
      { id: 'a', name: 'A', connection: 'dev', address: 0, scan_interval: 3600, min_interval: 3600 },
      { id: 'b', name: 'B', connection: 'dev', address: 1, scan_interval: 3600, min_interval: 3600 },
      { id: 'sp', name: 'Setpoint', connection: 'dev', address: 5, scan_interval: 3600, min_interval: 3600, writable: true },
      { id: 'relay', name: 'Relay', connection: 'dev', register_type: 'coil', address: 0, scan_interval: 3600, min_interval: 3600, writable: true },
    ],
    proxies: [
      { connection: 'dev', port: ro, max_age: 30 },
      { connection: 'dev', port: rw, max_age: 30, read_only: false, unit_map: [{ client: 7, device: 1 }] },
      { connection: 'dev', port: closed, allowed_clients: ['10.0.0.0/8'] },
    ],
  });
  logger = createMemoryLogger();
  app = createApp({
    clock: createSystemClock(), random: Math.random, logger, connections: resolved.connections, entities: resolved.entities,
    statusEveryMs: 0, proxies: resolveProxies(resolved.options.proxies, 'standalone'),
  });
  await app.start();
  await device.waitForRequests(1);
}, 30_000);
afterAll(async () => {
  await app.stop();
  await device.stop();
});

async function mbpoll(args: string[]): Promise<{ out: string; code: number }> {
  try {
    const { stdout, stderr } = await run('mbpoll', ['-m', 'tcp', '-1', '-0', ...args]);
    return { out: stdout + stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { out: e.stdout + e.stderr, code: e.code };
  }
}

const deviceReads = () => device.requests().filter((r) => r.op === 'read');

describe('the proxy with real clients', () => {
  it('mbpoll reads the device\'s values; the second read within max_age is answered from the cache', async () => {
    device.clearRequests();
    const first = await mbpoll(['-p', String(ro), '-a', '1', '-t', '4', '-r', '0', '-c', '10', '127.0.0.1']);
    expect(first.code).toBe(0);
    const values = [...first.out.matchAll(/\[(\d+)\]:\s+(\d+)/g)].map((m) => Number(m[2]));
    expect(values).toEqual(HOLDING);
    const upstream = deviceReads().length;
    expect(upstream).toBeGreaterThanOrEqual(1);
    const second = await mbpoll(['-p', String(ro), '-a', '1', '-t', '4', '-r', '2', '-c', '5', '127.0.0.1']);
    expect([...second.out.matchAll(/\[(\d+)\]:\s+(\d+)/g)].map((m) => Number(m[2]))).toEqual(HOLDING.slice(2, 7));
    expect(deviceReads().length).toBe(upstream);
    expect(app.proxies[0]?.counters).toMatchObject({ hits: 1 });
    const sensors = new Map(app.statistics.tick(new Date().getTime()).map((r) => [r.entityId, r.state]));
    expect(Number(sensors.get('sensor.modbus_optimizer_proxy_cache_hits'))).toBeGreaterThanOrEqual(1);
    expect(Number(sensors.get('sensor.modbus_optimizer_proxy_device_reads'))).toBeGreaterThanOrEqual(1);
  });

  it('a pymodbus client and modbus-serial, at once, read the same values', async () => {
    const script = `
import json, sys
from pymodbus.client import ModbusTcpClient
c = ModbusTcpClient("127.0.0.1", port=${ro})
c.connect()
r = c.read_holding_registers(0, 10, slave=1)
print(json.dumps(r.registers))
c.close()`;
    const client = new ModbusRTU.default();
    await client.connectTCP('127.0.0.1', { port: ro });
    client.setID(1);
    const [py, ms] = await Promise.all([run(SYSTEM_PYTHON, ['-c', script]), client.readHoldingRegisters(0, 10)]);
    client.close(() => undefined);
    expect(JSON.parse(py.stdout.trim())).toEqual(HOLDING);
    expect(ms.data).toEqual(HOLDING);
  });

  it('passes the device\'s exception through and keeps transaction ids and lengths exact', async () => {
    const client = new ModbusRTU.default();
    await client.connectTCP('127.0.0.1', { port: ro });
    client.setID(1);
    const err = await client.readHoldingRegisters(50, 2).then(() => undefined, (e: unknown) => e as { modbusCode?: number });
    client.close(() => undefined);
    expect(err?.modbusCode).toBe(2);
    const reply = await rawExchange(ro, Buffer.from([0xbe, 0xef, 0, 0, 0, 6, 1, 3, 0, 1, 0, 2]));
    expect(reply.toString('hex')).toBe(Buffer.from([0xbe, 0xef, 0, 0, 0, 7, 1, 3, 4, 0, 101, 0, 102]).toString('hex'));
    const illegal = await rawExchange(ro, Buffer.from([0x12, 0x34, 0, 0, 0, 6, 1, 3, 0, 50, 0, 1]));
    expect(illegal.toString('hex')).toBe('1234000000030183' + '02');
  });

  it('refuses writes on a read-only proxy and to registers without permission; passes and audits the rest', async () => {
    const refused = await mbpoll(['-p', String(ro), '-a', '1', '-t', '4', '-r', '5', '127.0.0.1', '55']);
    expect(refused.out).toMatch(/Illegal function/);
    const noPermission = await mbpoll(['-p', String(rw), '-a', '7', '-t', '4', '-r', '0', '127.0.0.1', '55']);
    expect(noPermission.out).toMatch(/Illegal function/);
    device.clearRequests();
    const ok = await mbpoll(['-p', String(rw), '-a', '7', '-t', '4', '-r', '5', '127.0.0.1', '55']);
    expect(ok.code).toBe(0);
    await device.waitForRequests(1);
    expect(device.requests().find((r) => r.op === 'write')).toMatchObject({ unit: 1, fc: 6, address: 5, values: [55] }); // fc6 stays fc6
    const coil = await mbpoll(['-p', String(rw), '-a', '7', '-t', '0', '-r', '0', '127.0.0.1', '0']);
    expect(coil.code).toBe(0);
    expect(logger.lines.some((l) => /Audit: proxy:127\.0\.0\.1 fc6 write dev unit 1 address 5 → \[55\]/.test(l))).toBe(true);
    // the cache now holds what was written
    const back = await mbpoll(['-p', String(rw), '-a', '7', '-t', '4', '-r', '5', '-c', '1', '127.0.0.1']);
    expect(back.out).toMatch(/\[5\]:\s+55/);
  });

  it('refuses clients outside allowed_clients, and a malformed frame closes only that connection', async () => {
    await expect(rawExchange(closed, Buffer.from([0, 1, 0, 0, 0, 6, 1, 3, 0, 0, 0, 1]))).rejects.toThrow(/closed/);
    await expect(rawExchange(ro, Buffer.from([0, 1, 0, 9, 0, 6, 1, 3, 0, 0, 0, 1]))).rejects.toThrow(/closed/); // protocol id 9
    const after = await mbpoll(['-p', String(ro), '-a', '1', '-t', '4', '-r', '0', '-c', '2', '127.0.0.1']);
    expect(after.code).toBe(0);
  });
});

describe('the proxy under malformed input', () => {
  it('answers 10,000 generated frames (or closes the stream) without harm, and serves normally afterwards', async () => {
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    const frames: Buffer[] = [];
    for (let i = 0; i < 10_000; i++) {
      const kind = rand(4);
      let pdu: Buffer;
      if (kind === 0) pdu = Buffer.from(Array.from({ length: rand(12) + 1 }, () => rand(256))); // any function, any bytes
      else if (kind === 1) pdu = Buffer.from([[1, 2, 3, 4][rand(4)]!, 0, rand(2), 0, 0]); // quantity 0
      else if (kind === 2) pdu = Buffer.from([3, 0, rand(2), 0, 1]); // a cached register
      else pdu = Buffer.from([[5, 6, 15, 16][rand(4)]!, 0, rand(10), 0, 1, 2, 0, 1]); // writes on a read-only proxy
      const frame = Buffer.alloc(7 + pdu.length);
      frame.writeUInt16BE(i & 0xffff, 0);
      frame.writeUInt16BE(0, 2);
      frame.writeUInt16BE(pdu.length + 1, 4);
      frame.writeUInt8(1, 6);
      pdu.copy(frame, 7);
      frames.push(frame);
    }
    const answered = await new Promise<number>((resolve) => {
      let bytes = Buffer.alloc(0);
      let replies = 0;
      const s = net.connect(ro, '127.0.0.1', () => s.write(Buffer.concat(frames)));
      s.on('data', (d) => {
        bytes = Buffer.concat([bytes, d]);
        while (bytes.length >= 6 && bytes.length >= 6 + bytes.readUInt16BE(4)) {
          bytes = bytes.subarray(6 + bytes.readUInt16BE(4));
          replies++;
        }
        if (replies === frames.length) { s.destroy(); resolve(replies); }
      });
      s.on('close', () => resolve(replies));
      s.on('error', () => undefined);
    });
    expect(answered).toBe(10_000); // every frame had a valid header: every one gets an answer, in order
    for (let i = 0; i < 20; i++) {
      const junk = Buffer.from(Array.from({ length: 40 }, () => rand(256)));
      junk.writeUInt16BE(1 + rand(100), 2); // a protocol id that is not 0
      await expect(rawExchange(ro, junk)).rejects.toThrow(/closed/);
    }
    const after = await mbpoll(['-p', String(ro), '-a', '1', '-t', '4', '-r', '0', '-c', '10', '127.0.0.1']);
    expect([...after.out.matchAll(/\[(\d+)\]:\s+(\d+)/g)].map((m) => Number(m[2]))).toEqual(HOLDING.map((v, i) => (i === 5 ? 55 : v))); // 5 was written above
  }, 60_000);
});

/** Sends one frame on a fresh connection; resolves with the reply, rejects when the proxy closes it. */
function rawExchange(port: number, frame: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(frame));
    s.once('data', (d) => { s.destroy(); resolve(d); });
    s.once('close', () => reject(new Error('connection closed')));
    s.once('error', () => undefined);
  });
}

describe('the demo with PROXY_PORT', () => {
  it('serves the demo inverter (behind an RTU-over-TCP gateway) as Modbus TCP to mbpoll, read-only', async () => {
    const { startAppProcess } = await import('../helpers/appProcess.js');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-proxy-'));
    const port = await freePort();
    const demo = startAppProcess({ DATA_DIR: dir, PROXY_PORT: String(port) });
    try {
      await demo.waitFor(/Modbus proxy for gateway on 127\.0\.0\.1:\d+/);
      await demo.waitFor(/First poll complete/);
      const read = await mbpoll(['-p', String(port), '-a', '1', '-t', '3', '-r', '0', '-c', '10', '127.0.0.1']);
      expect(read.code).toBe(0);
      expect([...read.out.matchAll(/\[(\d+)\]:\s+(\d+)/g)]).toHaveLength(10);
      const write = await mbpoll(['-p', String(port), '-a', '1', '-t', '0', '-r', '0', '127.0.0.1', '1']);
      expect(write.out).toMatch(/Illegal function/);
    } finally {
      demo.kill('SIGTERM');
      await demo.exit();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
