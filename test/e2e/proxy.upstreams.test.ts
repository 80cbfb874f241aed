// The proxy speaks Modbus TCP to its clients whatever the upstream is (issue 13, item 4): a pymodbus RTU
// server on a serial line (a socat pty pair) and a pymodbus RTU-framed TCP server (an RTU-over-TCP
// gateway), each behind the real app; Debian's mbpoll reads through the proxy and gets the device's
// values, and the device's exception 2 comes back as exception 2.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createApp, type App } from '../../src/app.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { resolveProxies } from '../../src/config/proxies.js';
import { createSystemClock } from '../../src/core/clock.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { freePort } from '../helpers/ports.js';
import { startPtyPair, type PtyPair } from '../helpers/ptyPair.js';
import { startPymodbusServer, type PymodbusServer } from '../helpers/pymodbusServer.js';

const run = promisify(execFile);
const HOLDING = [11, 22, 33, 44, 55];

async function mbpoll(port: number, args: string[]): Promise<{ out: string; code: number }> {
  try {
    const { stdout, stderr } = await run('mbpoll', ['-m', 'tcp', '-1', '-0', '-p', String(port), ...args, '127.0.0.1']);
    return { out: stdout + stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { out: e.stdout + e.stderr, code: e.code };
  }
}

async function appFor(connection: Record<string, unknown>): Promise<{ app: App; proxyPort: number }> {
  const proxyPort = await freePort();
  const resolved = resolveOptions({
    connections: [{ name: 'up', timeout_ms: 1000, ...connection }],
    entities: [{ id: 'a', name: 'A', connection: 'up', unit_id: 3, address: 0, scan_interval: 3600, min_interval: 3600 }],
    proxies: [{ connection: 'up', port: proxyPort, max_age: 30 }],
  });
  const app = createApp({
    clock: createSystemClock(), random: Math.random, logger: createMemoryLogger(), connections: resolved.connections, entities: resolved.entities,
    statusEveryMs: 0, proxies: resolveProxies(resolved.options.proxies, 'standalone'),
  });
  await app.start();
  return { app, proxyPort };
}

const values = (out: string) => [...out.matchAll(/\[(\d+)\]:\s+(\d+)/g)].map((m) => Number(m[2]));

describe('Modbus TCP clients, any upstream', () => {
  let pty: PtyPair;
  let serial: PymodbusServer;
  let rtuGateway: PymodbusServer;
  let gatewayPort: number;
  const apps: App[] = [];

  beforeAll(async () => {
    pty = await startPtyPair();
    serial = await startPymodbusServer({ mode: 'serial', serialPort: pty.b, baudrate: 9600, units: { 3: { holding: HOLDING } } });
    gatewayPort = await freePort();
    rtuGateway = await startPymodbusServer({ mode: 'tcp', port: gatewayPort, framer: 'rtu', units: { 3: { holding: HOLDING } } });
  }, 30_000);
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await serial?.stop();
    await rtuGateway?.stop();
    await pty?.stop();
  });

  it.each([
    ['an RTU serial line', () => ({ type: 'serial', serial_port: pty.a, baudrate: 9600 })],
    ['an RTU-over-TCP gateway', () => ({ type: 'rtuovertcp', host: '127.0.0.1', port: gatewayPort })],
  ])('through %s: values and exceptions as the device gives them', async (_what, connection) => {
    const { app, proxyPort } = await appFor(connection());
    apps.push(app);
    const read = await mbpoll(proxyPort, ['-a', '3', '-t', '4', '-r', '0', '-c', '5']);
    expect(read.code).toBe(0);
    expect(values(read.out)).toEqual(HOLDING);
    const illegal = await mbpoll(proxyPort, ['-a', '3', '-t', '4', '-r', '20', '-c', '2']);
    expect(illegal.out).toMatch(/Illegal data address/);
  }, 30_000);
});
