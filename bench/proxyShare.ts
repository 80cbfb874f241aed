/**
 * Sharing one device with other masters (issue 13, item 6), in real time on loopback. The solar-home
 * site is served as a Modbus TCP gateway in front of its simulated 9,600-baud RS-485 line (replies wait
 * the modelled line time). Besides the app, two masters read the inverter: an evcc-like one every
 * second (PV registers, 11 registers) and a Home-Assistant-like one every 15 s (the 14 grid
 * registers). Three runs of the same length: the app alone; everyone through a serialising pass-through
 * proxy (one request at a time on one upstream connection, as evcc's modbusproxy does); and the other
 * masters through the app's caching proxy. Reported: the device's bus time (modelled line time of every
 * request it served), the masters' answer latency p50/p95, and how the proxy answered.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import ModbusRTU from 'modbus-serial';
import { createApp } from '../src/app.js';
import { resolveOptions } from '../src/config/resolve.js';
import { resolveProxies } from '../src/config/proxies.js';
import { createSystemClock } from '../src/core/clock.js';
import { createMemoryLogger } from '../src/core/logger.js';
import { readBusTimeMs } from '../src/modbus/costModel.js';
import { encodeMbap, MbapSplitter, type MbapFrame } from '../src/modbus/server/mbap.js';
import type { ReadFunction } from '../src/modbus/types.js';
import { SimModbusTcpServer } from '../src/sim/modbusTcpServer.js';
import { SimDevice } from '../src/sim/simDevice.js';
import { siteOptions, solarHome } from '../src/sim/sites.js';

const RUN_MS = 60_000;
const BAUD = 9600;
interface Master { name: string; everyMs: number; address: number; count: number }
const MASTERS: Master[] = [
  { name: 'evcc-like', everyMs: 1000, address: 0, count: 11 },
  { name: 'HA-like', everyMs: 15_000, address: 16, count: 14 }, // input 16…29: the grid bank
];

interface RunResult { label: string; busMsPerMin: number; requestsPerMin: number; latency: Record<string, { p50: number; p95: number; n: number; failed: number }>; proxy?: Record<string, number> }

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** A pass-through proxy that sends one request at a time upstream, with transaction ids remapped. */
async function serialisingProxy(upstreamPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const upstream = net.connect(upstreamPort, '127.0.0.1');
  await new Promise<void>((r) => upstream.once('connect', () => r()));
  const queue: Array<{ frame: Buffer; reply: (r: MbapFrame) => void }> = [];
  let busy: ((r: MbapFrame) => void) | undefined;
  const replies = new MbapSplitter();
  const next = () => {
    if (busy || queue.length === 0) return;
    const job = queue.shift() as (typeof queue)[number];
    busy = job.reply;
    upstream.write(job.frame);
  };
  upstream.on('data', (d: Buffer) => {
    for (const frame of replies.push(d)) {
      const reply = busy;
      busy = undefined;
      reply?.(frame);
      next();
    }
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    const requests = new MbapSplitter();
    client.on('data', (d: Buffer) => {
      for (const r of requests.push(d)) {
        queue.push({
          frame: encodeMbap(r.transactionId, r.unitId, r.pdu),
          reply: (answer) => { if (!client.destroyed) client.write(encodeMbap(r.transactionId, answer.unitId, answer.pdu)); },
        });
        next();
      }
    });
    client.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); upstream.destroy(); server.close(() => r()); }),
  };
}

async function poll(port: number, m: Master, untilMs: number, latencies: number[], failures: { n: number }): Promise<void> {
  const client = new ModbusRTU.default();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  client.setTimeout(5000);
  while (performance.now() < untilMs) {
    const t0 = performance.now();
    try {
      await client.readInputRegisters(m.address, m.count);
      latencies.push(performance.now() - t0);
    } catch {
      failures.n++;
    }
    const wait = m.everyMs - (performance.now() - t0);
    if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, untilMs - performance.now()))));
  }
  client.close(() => undefined);
}

async function runOnce(label: string, mode: 'alone' | 'serialising' | 'caching'): Promise<RunResult> {
  const clock = createSystemClock();
  const site = solarHome();
  const devices = site.devices.map(({ device }) => new SimDevice(device, 1, clock.now()));
  let busMs = 0;
  let requests = 0;
  const turnaround = new Map(site.devices.map(({ device }) => [device.unitId, device.turnaroundMs]));
  const server = new SimModbusTcpServer({
    clock, devices, lineBaudrate: BAUD,
    onRequest: (r) => {
      requests++;
      busMs += readBusTimeMs((r.fn >= 1 && r.fn <= 4 ? r.fn : 3) as ReadFunction, Math.max(1, r.count), { baudrate: BAUD, turnaroundMs: turnaround.get(r.unitId) ?? 20, roundTripMs: 0 });
    },
  });
  const devicePort = await server.start();
  const relay = mode === 'serialising' ? await serialisingProxy(devicePort) : undefined;
  const appPort = relay?.port ?? devicePort;
  const proxyPort = mode === 'caching' ? await freePort() : undefined;
  const raw = siteOptions(site, '127.0.0.1', appPort);
  const options = {
    ...raw,
    connections: (raw.connections as Array<Record<string, unknown>>).map((c) => ({ ...c, type: 'tcp' })),
    ...(proxyPort !== undefined ? { proxies: [{ connection: 'gateway', port: proxyPort, max_age: 5 }] } : {}),
  };
  const resolved = resolveOptions(options);
  const app = createApp({
    clock, random: Math.random, logger: createMemoryLogger(), connections: resolved.connections, entities: resolved.entities,
    statusEveryMs: 0, proxies: resolveProxies(resolved.options.proxies, 'standalone'),
  });
  await app.start();
  await new Promise((r) => setTimeout(r, 5000)); // first full sweep out of the way
  busMs = 0;
  requests = 0;
  const started = performance.now();
  const until = started + RUN_MS;
  const latency: RunResult['latency'] = {};
  const masterPort = proxyPort ?? relay?.port;
  if (masterPort !== undefined) {
    await Promise.all(MASTERS.map(async (m) => {
      const l: number[] = [];
      const failures = { n: 0 };
      await poll(masterPort, m, until, l, failures);
      l.sort((a, b) => a - b);
      latency[m.name] = { p50: quantile(l, 0.5), p95: quantile(l, 0.95), n: l.length, failed: failures.n };
    }));
  } else {
    await new Promise((r) => setTimeout(r, RUN_MS));
  }
  const minutes = (performance.now() - started) / 60_000;
  const result: RunResult = {
    label, busMsPerMin: busMs / minutes, requestsPerMin: requests / minutes, latency,
    ...(app.proxies[0] ? { proxy: { ...app.proxies[0].counters } } : {}),
  };
  await app.stop();
  await relay?.close();
  await server.stop();
  return result;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function run(): Promise<string> {
  const results: RunResult[] = [];
  results.push(await runOnce('the app alone', 'alone'));
  results.push(await runOnce('+ 2 masters through a serialising proxy', 'serialising'));
  results.push(await runOnce('+ 2 masters through the app\'s caching proxy', 'caching'));
  const base = results[0]?.busMsPerMin ?? NaN;
  const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
  const lines = [
    `solar-home inverter, 9,600-baud line behind a Modbus TCP gateway; ${RUN_MS / 1000} s per run, real time; masters: ${MASTERS.map((m) => `${m.name} ${m.count} input registers every ${m.everyMs / 1000} s`).join(', ')}.`,
    '',
    '| run | device bus time (s/min) | vs app alone | device requests/min | evcc-like p50 / p95 (ms) | HA-like p50 / p95 (ms) | proxy answers |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...results.map((r) => {
      const lat = (name: string) => { const x = r.latency[name]; return x ? `${ms(x.p50)} / ${ms(x.p95)}${x.failed ? ` (${x.failed} failed)` : ''}` : '–'; };
      const p = r.proxy;
      return `| ${r.label} | ${(r.busMsPerMin / 1000).toFixed(2)} | ${((r.busMsPerMin / base - 1) * 100).toFixed(1)}% | ${r.requestsPerMin.toFixed(0)} | ${lat('evcc-like')} | ${lat('HA-like')} | `
        + `${p ? `${p.hits} from cache, ${p.merged} through polling, ${p.shared} shared, ${(p.misses ?? 0) - (p.merged ?? 0) - (p.shared ?? 0)} own requests` : '–'} |`;
    }),
    '',
    'Targets (issue 13): with the caching proxy the device\'s bus time grows by ≤ 10 % over the app alone; answer p95 ≤ 50 ms from cache.',
  ];
  return lines.join('\n');
}
