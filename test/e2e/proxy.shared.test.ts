// One device, three masters: the app polls a pymodbus device while a pymodbus client and modbus-serial
// read overlapping ranges through the proxy as fast as they can. A relay between the app and the device
// counts MBAP frames: the device never has more than one request outstanding, every client gets the
// device's values, clients asking the same at once share one read, and a client's read of registers the
// app polls anyway, or of registers that answered before, goes through the app's polling instead of a
// request of its own; a range never read is asked as it is, so an illegal address answers exception 2
// every time and teaches the app's planner nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import ModbusRTU from 'modbus-serial';
import { createApp, type App } from '../../src/app.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { resolveProxies } from '../../src/config/proxies.js';
import { createSystemClock } from '../../src/core/clock.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { startMbapRelay, type MbapRelay } from '../helpers/mbapRelay.js';
import { freePort } from '../helpers/ports.js';
import { startPymodbusServer, SYSTEM_PYTHON, type PymodbusServer } from '../helpers/pymodbusServer.js';

const run = promisify(execFile);
const HOLDING = Array.from({ length: 20 }, (_, i) => 200 + i);
const UNIT2 = [500, 501, 502];

let device: PymodbusServer;
let relay: MbapRelay;
let app: App;
let proxyPort: number;

beforeAll(async () => {
  const devicePort = await freePort();
  device = await startPymodbusServer({ mode: 'tcp', port: devicePort, units: { 1: { holding: HOLDING }, 2: { holding: UNIT2 } } });
  relay = await startMbapRelay(devicePort);
  proxyPort = await freePort();
  const resolved = resolveOptions({
    connections: [{ name: 'dev', host: '127.0.0.1', port: relay.port, timeout_ms: 2000 }],
    entities: [
      ...HOLDING.slice(0, 10).map((_, i) => ({ id: `r${i}`, name: `R${i}`, connection: 'dev', address: i, scan_interval: 1, min_interval: 1 })),
      // polled hourly (and never faster, whatever clients do): a client's read of them finds the cache old
      ...[10, 11, 12, 13].map((a) => ({ id: `s${a}`, name: `S${a}`, connection: 'dev', address: a, scan_interval: 3600, min_interval: 3600 })),
      { id: 't1', name: 'T1', connection: 'dev', unit_id: 2, address: 1, scan_interval: 1, min_interval: 1 },
    ],
    proxies: [{ connection: 'dev', port: proxyPort, max_age: 0.2 }],
  });
  app = createApp({
    clock: createSystemClock(), random: Math.random, logger: createMemoryLogger(), connections: resolved.connections, entities: resolved.entities,
    statusEveryMs: 0, proxies: resolveProxies(resolved.options.proxies, 'standalone'),
    web: { port: 0, host: '127.0.0.1', ingressOnly: false },
  });
  await app.start();
  await device.waitForRequests(1);
}, 30_000);
afterAll(async () => {
  await app.stop();
  await relay.close();
  await device.stop();
});

describe('three masters on one device', () => {
  it('the device never sees two requests at once; every client reads the device\'s values', async () => {
    const script = `
import json
from pymodbus.client import ModbusTcpClient
c = ModbusTcpClient("127.0.0.1", port=${proxyPort})
c.connect()
seen = []
for i in range(60):
    r = c.read_holding_registers(4, 12, slave=1)
    seen.append(r.registers)
c.close()
print(json.dumps(seen))`;
    const client = new ModbusRTU.default();
    await client.connectTCP('127.0.0.1', { port: proxyPort });
    client.setID(1);
    const serialReads = (async () => {
      const out: number[][] = [];
      for (let i = 0; i < 60; i++) out.push((await client.readHoldingRegisters(0, 8)).data);
      return out;
    })();
    const [py, ms] = await Promise.all([run(SYSTEM_PYTHON, ['-c', script]), serialReads]);
    client.close(() => undefined);
    const pyReads = JSON.parse(py.stdout.trim()) as number[][];
    expect(pyReads).toHaveLength(60);
    for (const r of pyReads) expect(r).toEqual(HOLDING.slice(4, 16));
    for (const r of ms) expect(r).toEqual(HOLDING.slice(0, 8));
    expect(relay.requests()).toBeGreaterThan(1);
    expect(relay.maxInFlight()).toBe(1);
    const c = app.proxies[0]?.counters;
    expect(c && c.hits + c.misses).toBe(120);
  }, 60_000);

  it('a read of registers the app polls goes through its polling; one of registers never read is a request of its own, and through polling once they answered', async () => {
    const before = { ...app.proxies[0]?.counters };
    const client = new ModbusRTU.default();
    await client.connectTCP('127.0.0.1', { port: proxyPort });
    client.setID(1);
    await new Promise((r) => setTimeout(r, 300)); // let the cache age past max_age
    expect((await client.readHoldingRegisters(11, 3)).data).toEqual(HOLDING.slice(11, 14)); // s11..s13: the app's entities, polled hourly
    await new Promise((r) => setTimeout(r, 300));
    const merged = app.proxies[0]?.counters.merged ?? 0;
    expect((await client.readHoldingRegisters(16, 3)).data).toEqual(HOLDING.slice(16, 19)); // nobody polls these
    const after = app.proxies[0]?.counters;
    expect((after?.merged ?? 0) - (before.merged ?? 0)).toBeGreaterThanOrEqual(1);
    expect(after?.merged).toBe(merged); // never read before: asked as it is
    expect((after?.misses ?? 0) - (before.misses ?? 0)).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 300));
    expect((await client.readHoldingRegisters(16, 3)).data).toEqual(HOLDING.slice(16, 19));
    expect(app.proxies[0]?.counters.merged).toBe(merged + 1); // they answered once: read in the app's cycle
    client.close(() => undefined);
  }, 30_000);

  it('a range with an illegal address answers exception 2 every time, and the app learns no hole from it', async () => {
    const client = new ModbusRTU.default();
    await client.connectTCP('127.0.0.1', { port: proxyPort });
    client.setID(1);
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await expect(client.readHoldingRegisters(18, 4)).rejects.toMatchObject({ modbusCode: 2 }); // 20 and 21 do not exist
    }
    client.close(() => undefined);
    expect(app.poller.holeList()).toEqual([]);
  }, 30_000);

  it('a client reading a value about as often as the app polls it takes that polling over while it reads', async () => {
    const reasons: string[] = [];
    app.events.on('test', 'sample', (sample) => { if (sample.entityId === 't1') reasons.push(sample.reason); });
    const client = new ModbusRTU.default();
    await client.connectTCP('127.0.0.1', { port: proxyPort });
    client.setID(2);
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      if (i === 2) reasons.length = 0; // from the third read on, the client's pace is known
      expect((await client.readHoldingRegisters(0, 3)).data).toEqual(UNIT2); // t1 (polled every second) between two registers nobody polls
      await new Promise((r) => setTimeout(r, 900 - (performance.now() - t0))); // a little faster than the app's 1 s, so timer jitter cannot make it slower
    }
    client.close(() => undefined);
    app.events.removeOwner('test');
    expect(reasons.length).toBeGreaterThanOrEqual(4);
    expect(reasons.filter((r) => r === 'schedule')).toEqual([]); // t1 came only with the client's reads
  }, 30_000);

  it('the dashboard\'s overview shows how the proxy answered', async () => {
    const web = app.web?.address();
    const overview = await (await fetch(`http://127.0.0.1:${web?.port}/api/overview`)).json() as { proxies: Array<{ name: string; hits: number; misses: number; merged: number }> };
    expect(overview.proxies).toEqual([expect.objectContaining({ name: `dev:${proxyPort}`, hits: app.proxies[0]?.counters.hits, merged: app.proxies[0]?.counters.merged })]);
  });
});
