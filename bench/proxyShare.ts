/**
 * Sharing one device with other masters (issue 13, item 6), in real time on loopback. The solar-home
 * site is served as a Modbus TCP gateway in front of its simulated 9,600-baud RS-485 line (replies wait
 * the modelled line time). Besides the app (fixed 15 s scan intervals, no learning), two masters read
 * the inverter: an evcc-like one every second (PV registers, 11 registers) and a Home-Assistant-like
 * one every 15 s (the 14 grid registers). Per seed, three rigs run side by side on one realisation (the
 * same device seed and start; the masters start together at a seeded phase of the app's 15 s grid):
 * the app alone; everyone through a serialising pass-through proxy (one request at a time upstream, as
 * evcc's modbusproxy does); the other masters through the app's caching proxy. After a warm-up in which
 * the masters already read (the proxy learns their demand), the device's bus time is measured: the
 * modelled line time of every request it served, by the registers each request read, so the caching
 * rig's extra over the app alone splits by cause. Beside it, a lower bound on what any proxy must add
 * to answer every read at once with data at most max_age old, given what the app alone reads.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import ModbusRTU from 'modbus-serial';
import { createApp, type App } from '../src/app.js';
import { resolveOptions } from '../src/config/resolve.js';
import { resolveProxies } from '../src/config/proxies.js';
import { createSystemClock } from '../src/core/clock.js';
import { createMemoryLogger } from '../src/core/logger.js';
import { seededRandom } from '../src/core/random.js';
import { readBusTimeMs } from '../src/modbus/costModel.js';
import { encodeMbap, MbapSplitter, type MbapFrame } from '../src/modbus/server/mbap.js';
import type { ReadFunction } from '../src/modbus/types.js';
import { SimModbusTcpServer, type ServedRequest } from '../src/sim/modbusTcpServer.js';
import { SimDevice } from '../src/sim/simDevice.js';
import { siteOptions, solarHome } from '../src/sim/sites.js';
import { formatSpread, spread } from './seedStats.js';

const SEEDS = [1, 2, 3];
/** The app polls alone this long before the masters start (its first full sweep). */
const APP_WARMUP_MS = 5000;
/** The masters read at least this long before the measurement starts: the proxy has learned their demand. */
const WARMUP_MS = 16_000;
const MEASURE_MS = 75_000;
/** The app's scan interval: its polls fall on multiples of it, and the masters start at a seeded phase of it. */
const GRID_MS = 15_000;
const BAUD = 9600;
const MAX_AGE_MS = 5000;
/** The inverter (unit 1) on the gateway line, as the planner and the bench charge it. */
const TIMING = { baudrate: BAUD, turnaroundMs: 20, roundTripMs: 0 };
interface Master { name: string; everyMs: number; address: number; count: number }
const MASTERS: Master[] = [
  { name: 'evcc-like', everyMs: 1000, address: 0, count: 11 },
  { name: 'HA-like', everyMs: 15_000, address: 16, count: 14 }, // input 16…29: the grid bank
];
type Mode = 'alone' | 'serialising' | 'caching';
const MODES: Array<{ mode: Mode; label: string }> = [
  { mode: 'alone', label: 'the app alone' },
  { mode: 'serialising', label: '+ 2 masters through a serialising proxy' },
  { mode: 'caching', label: '+ 2 masters through the app\'s caching proxy' },
];
const REST = 'rest';

interface Tally { ms: number; n: number }
interface RigResult {
  busMsPerMin: number; requestsPerMin: number;
  /** Bus time and requests per minute by the registers a request read: a master's name, or REST. */
  byCause: Map<string, Tally>;
  latencies: Map<string, { ms: number[]; failed: number }>;
  proxy?: Record<string, number>;
}

/** Which master's registers (unit 1, input) a device request read, or REST. */
function causeOf(r: ServedRequest): string {
  const m = MASTERS.find((x) => r.unitId === 1 && r.fn === 4 && r.address < x.address + x.count && r.address + r.count > x.address);
  return m?.name ?? REST;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Wall time for the masters' schedule and the measured window (the apps take their own system clocks). */
const wall = createSystemClock();
/** The first time at or after `t` that lies `phase` ms past one of the app's grid steps. */
const atPhase = (t: number, phase: number) => t + ((((phase - t) % GRID_MS) + GRID_MS) % GRID_MS);
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - wall.now())));

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


/** One master's reads, every `everyMs` from now until `untilMs`; latencies kept from `fromMs` on. */
async function poll(port: number, m: Master, fromMs: number, untilMs: number, into: { ms: number[]; failed: number }): Promise<void> {
  const client = new ModbusRTU.default();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  client.setTimeout(5000);
  for (let next = wall.now(); next < untilMs; next += m.everyMs) {
    await sleepUntil(next);
    const counted = wall.now() >= fromMs;
    const t0 = performance.now();
    try {
      await client.readInputRegisters(m.address, m.count);
      if (counted) into.ms.push(performance.now() - t0);
    } catch {
      if (counted) into.failed++;
    }
  }
  client.close(() => undefined);
}

interface Rig {
  mode: Mode; app: App; masterPort: number | undefined;
  tally: { busMs: number; requests: number; byCause: Map<string, Tally> };
  latencies: RigResult['latencies'];
  close(): Promise<void>;
}

async function buildRig(mode: Mode, seed: number, startMs: number): Promise<Rig> {
  const clock = createSystemClock();
  const site = solarHome();
  const devices = site.devices.map(({ device }) => new SimDevice(device, seed, startMs));
  const turnaround = new Map(site.devices.map(({ device }) => [device.unitId, device.turnaroundMs]));
  const tally = { busMs: 0, requests: 0, byCause: new Map<string, Tally>() };
  const server = new SimModbusTcpServer({
    clock, devices, lineBaudrate: BAUD,
    onRequest: (r) => {
      const ms = readBusTimeMs((r.fn >= 1 && r.fn <= 4 ? r.fn : 3) as ReadFunction, Math.max(1, r.count), { ...TIMING, turnaroundMs: turnaround.get(r.unitId) ?? 20 });
      tally.busMs += ms;
      tally.requests++;
      const t = tally.byCause.get(causeOf(r)) ?? { ms: 0, n: 0 };
      tally.byCause.set(causeOf(r), { ms: t.ms + ms, n: t.n + 1 });
    },
  });
  const devicePort = await server.start();
  const relay = mode === 'serialising' ? await serialisingProxy(devicePort) : undefined;
  const proxyPort = mode === 'caching' ? await freePort() : undefined;
  const raw = siteOptions(site, '127.0.0.1', relay?.port ?? devicePort);
  const resolved = resolveOptions({
    ...raw,
    connections: (raw.connections as Array<Record<string, unknown>>).map((c) => ({ ...c, type: 'tcp' })),
    ...(proxyPort !== undefined ? { proxies: [{ connection: 'gateway', port: proxyPort, max_age: MAX_AGE_MS / 1000 }] } : {}),
  });
  const app = createApp({
    clock, random: Math.random, logger: createMemoryLogger(), connections: resolved.connections, entities: resolved.entities,
    statusEveryMs: 0, proxies: resolveProxies(resolved.options.proxies, 'standalone'),
  });
  return {
    mode, app, masterPort: proxyPort ?? relay?.port, tally,
    latencies: new Map(MASTERS.map((m) => [m.name, { ms: [], failed: 0 }])),
    async close() { await app.stop(); await relay?.close(); await server.stop(); },
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** The three rigs of one seed side by side; what each served in the measured window. */
async function runSeed(seed: number): Promise<Map<Mode, RigResult>> {
  const startMs = wall.now();
  const rigs = await Promise.all(MODES.map(({ mode }) => buildRig(mode, seed, startMs)));
  await Promise.all(rigs.map((r) => r.app.start()));
  const phase = Math.floor(seededRandom(seed)() * GRID_MS);
  const begin = atPhase(wall.now() + APP_WARMUP_MS, phase);
  // the measured window starts (and, a whole number of grid steps later, ends) half-way between two of
  // the app's sweeps, so no rig's sweep straddles an edge
  const measureFrom = atPhase(begin + WARMUP_MS, GRID_MS / 2);
  const until = measureFrom + MEASURE_MS;
  await sleepUntil(begin);
  let proxyAtStart: Record<string, number> = {};
  const mark = sleepUntil(measureFrom).then(() => {
    for (const r of rigs) Object.assign(r.tally, { busMs: 0, requests: 0, byCause: new Map() });
    proxyAtStart = { ...rigs.find((r) => r.mode === 'caching')?.app.proxies[0]?.counters };
  });
  await Promise.all(rigs.flatMap((rig) => (rig.masterPort === undefined ? [] : MASTERS.map((m) =>
    poll(rig.masterPort as number, m, measureFrom, until, rig.latencies.get(m.name) as { ms: number[]; failed: number })))));
  await mark;
  await sleepUntil(until);
  const minutes = (wall.now() - measureFrom) / 60_000;
  const out = new Map<Mode, RigResult>();
  for (const rig of rigs) {
    const counters = rig.app.proxies[0]?.counters;
    out.set(rig.mode, {
      busMsPerMin: rig.tally.busMs / minutes, requestsPerMin: rig.tally.requests / minutes,
      byCause: new Map([...rig.tally.byCause].map(([k, t]) => [k, { ms: t.ms / minutes, n: t.n / minutes }])),
      latencies: rig.latencies,
      ...(counters ? { proxy: Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, v - (proxyAtStart[k] ?? 0)])) } : {}),
    });
  }
  await Promise.all(rigs.map((r) => r.close()));
  return out;
}

/** Registers of `m`'s span that no entity of the site reads (unit 1, input). */
function uncoveredRegisters(m: Master): number {
  const raw = siteOptions(solarHome(), '127.0.0.1', 1502);
  const entities = resolveOptions(raw).entities.filter((e) => e.unitId === 1 && e.registerType === 'input' && e.connection === 'gateway');
  let n = 0;
  for (let a = m.address; a < m.address + m.count; a++) if (!entities.some((e) => e.address <= a && a < e.address + e.count)) n++;
  return n;
}

/**
 * The least extra bus time (ms/min) any proxy needs to answer every read at once with data at most
 * max_age old, given `aloneReads` (how often per minute the app alone reads the evcc-like master's
 * registers). evcc-like: the read at c needs a device reply in [c − max_age, c]; for reads one period
 * apart, every (max_age / period + 1)-th read has a window of its own, so at least one device read per
 * max_age + period (strict), or one per max_age when a reply must come before the read it answers
 * (practical: a reply landing exactly at a read's arrival is no schedule). Each extra read is a request
 * of its own: unit 1's input registers 12–15 are illegal, so nothing else the app reads shares its
 * block. HA-like: each read needs its registers no entity covers read within max_age; at best they
 * widen a read the app makes anyway, by one register's two bytes each.
 */
function lowerBound(aloneReads: number, haReadsPerMin: number): { strict: number; practical: number; ha: number; strictReads: number; practicalReads: number; readMs: number } {
  const [evcc, ha] = MASTERS as [Master, Master];
  const readMs = readBusTimeMs(4, evcc.count, TIMING);
  const strictReads = 60_000 / (MAX_AGE_MS + evcc.everyMs);
  const practicalReads = 60_000 / MAX_AGE_MS;
  const registerMs = readBusTimeMs(4, 2, TIMING) - readBusTimeMs(4, 1, TIMING);
  const haMs = haReadsPerMin * uncoveredRegisters(ha) * registerMs;
  return {
    strict: Math.max(0, strictReads - aloneReads) * readMs + haMs, practical: Math.max(0, practicalReads - aloneReads) * readMs + haMs,
    ha: haMs, strictReads, practicalReads, readMs,
  };
}

export async function run(): Promise<string> {
  const seeds: Array<Map<Mode, RigResult>> = [];
  for (const seed of SEEDS) seeds.push(await runSeed(seed));
  const of = (mode: Mode) => seeds.map((s) => s.get(mode) as RigResult);
  const n = SEEDS.length;
  const f1 = (x: number) => x.toFixed(1);
  const f2 = (x: number) => x.toFixed(2);
  const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
  const sp = (xs: number[], fmt: (x: number) => string) => formatSpread(spread(xs), fmt, n);
  const alone = of('alone');
  const lat = (rs: RigResult[], name: string) => {
    const all = rs.flatMap((r) => r.latencies.get(name)?.ms ?? []).sort((a, b) => a - b);
    const failed = rs.reduce((s, r) => s + (r.latencies.get(name)?.failed ?? 0), 0);
    return all.length === 0 ? '–' : `${f1(quantile(all, 0.5))} / ${f1(quantile(all, 0.95))}${failed ? ` (${failed} failed)` : ''}`;
  };
  const answers = (rs: RigResult[]) => {
    const sum = (k: string) => rs.reduce((s, r) => s + (r.proxy?.[k] ?? 0), 0);
    if (!rs[0]?.proxy) return '–';
    return `${sum('hits')} from cache, ${sum('merged')} through polling, ${sum('shared')} shared, ${sum('misses') - sum('merged') - sum('shared')} own requests`;
  };
  const caching = of('caching');
  const extra = (cause: string, k: keyof Tally) => caching.map((r, i) => (r.byCause.get(cause)?.[k] ?? 0) - (alone[i]?.byCause.get(cause)?.[k] ?? 0));
  const causes: Array<[string, string]> = [
    ...MASTERS.map((m): [string, string] => [m.name, `requests reading ${m.name}'s registers (input ${m.address}–${m.address + m.count - 1})`]),
    [REST, 'every other request'],
  ];
  const evccAlone = alone.map((r) => r.byCause.get('evcc-like')?.n ?? 0);
  const haReads = caching.map((r) => (r.latencies.get('HA-like')?.ms.length ?? 0) / (MEASURE_MS / 60_000));
  const bounds = alone.map((_, i) => lowerBound(evccAlone[i] ?? 0, haReads[i] ?? 0));
  const b0 = bounds[0] as ReturnType<typeof lowerBound>;
  const rel = (ms: number[]) => ms.map((x, i) => x / (alone[i]?.busMsPerMin ?? NaN));
  return [
    `solar-home inverter, 9,600-baud line behind a Modbus TCP gateway, the app at fixed 15 s scan intervals; masters: ${MASTERS.map((m) => `${m.name} ${m.count} input registers every ${m.everyMs / 1000} s`).join(', ')}; max_age ${MAX_AGE_MS / 1000} s. `
      + `Seeds ${SEEDS.join(', ')} (device values and the masters' phase on the app's 15 s grid), the three runs of a seed side by side on the same realisation; `
      + `the masters read ${WARMUP_MS / 1000}–${(WARMUP_MS + GRID_MS) / 1000} s before ${MEASURE_MS / 1000} s are measured (from half-way between two of the app's sweeps). Figures: median (min–max) over seeds; latencies pooled.`,
    '',
    '| run | device bus time (s/min) | vs app alone | device requests/min | evcc-like p50 / p95 (ms) | HA-like p50 / p95 (ms) | proxy answers (all seeds) |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...MODES.map(({ mode, label }) => {
      const rs = of(mode);
      return `| ${label} | ${sp(rs.map((r) => r.busMsPerMin / 1000), f2)} | ${mode === 'alone' ? '–' : sp(rs.map((r, i) => r.busMsPerMin / (alone[i]?.busMsPerMin ?? NaN) - 1), pct)} | `
        + `${sp(rs.map((r) => r.requestsPerMin), f1)} | ${lat(rs, 'evcc-like')} | ${lat(rs, 'HA-like')} | ${answers(rs)} |`;
    }),
    '',
    'Where the caching proxy\'s extra bus time goes (caching run minus the app alone, same realisation):',
    '',
    '| cause | extra bus time (ms/min) | vs app alone | extra requests/min |',
    '|---|---:|---:|---:|',
    ...causes.map(([cause, text]) => `| ${text} | ${sp(extra(cause, 'ms'), f1)} | ${sp(rel(extra(cause, 'ms')), pct)} | ${sp(extra(cause, 'n'), f1)} |`),
    `| total | ${sp(caching.map((r, i) => r.busMsPerMin - (alone[i]?.busMsPerMin ?? NaN)), f1)} | ${sp(rel(caching.map((r, i) => r.busMsPerMin - (alone[i]?.busMsPerMin ?? NaN))), pct)} | ${sp(caching.map((r, i) => r.requestsPerMin - (alone[i]?.requestsPerMin ?? NaN)), f1)} |`,
    '',
    `Lower bound on the extra for any proxy that answers every read at once with data ≤ ${MAX_AGE_MS / 1000} s old (the app alone reads evcc-like's registers ${sp(evccAlone, f1)} times a minute; each extra read of them is a request of its own, ${f1(b0.readMs)} ms: input 12–15 are illegal, so nothing else the app reads can share its block; HA-like's register 29 is read by no entity, so each HA-like read costs at least that register's two bytes in a read the app makes anyway, ${sp(bounds.map((b) => b.ha), f1)} ms/min):`,
    '',
    '| bound | extra bus time (ms/min) | vs app alone |',
    '|---|---:|---:|',
    `| strict: one evcc-like read per max_age + its period (${f1(b0.strictReads)}/min; the sixth read of a window is served only by a reply landing exactly as it arrives) | ${sp(bounds.map((b) => b.strict), f1)} | ${sp(rel(bounds.map((b) => b.strict)), pct)} |`,
    `| practical: one evcc-like read per max_age (${f1(b0.practicalReads)}/min; each reply before the reads it answers) | ${sp(bounds.map((b) => b.practical), f1)} | ${sp(rel(bounds.map((b) => b.practical)), pct)} |`,
    '',
    'Targets (issue 13): with the caching proxy the device\'s bus time grows by ≤ 10 % over the app alone; answer p95 ≤ 50 ms from cache.',
  ].join('\n');
}
