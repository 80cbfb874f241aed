/**
 * Issue 16 item 5, the TCP faults: the device gone, a gateway that accepts TCP and never answers, a
 * half-open connection, exception 4 and 6 storms and a 500 ms turnaround, each against the built app
 * in front of a pymodbus device (tcpRig.ts), each one row with what was measured beside what the app
 * promises. Two scenarios so two test workers run them side by side; inside each, faults run on
 * separate lanes (separate buses to the app) at the same time, and in sequence on one lane.
 * The bounds come from the app's own constants: the 60 s unavailability grace (src/app.ts), the bus
 * back-off caps (DEFAULT_BUS_OPTIONS), 3 timeouts before a TCP link is reopened (src/modbus/buses.ts).
 */
import { DEFAULT_BUS_OPTIONS } from '../../src/modbus/bus.js';
import { STORM_BACKOFF_MAX_MS, TROUBLE_IN_A_ROW } from '../../src/modbus/unitStorms.js';
import type { FaultMode } from './faultProxy.js';
import { afterNextValue, holdFault, longestGapMs, messages, perMinute, valuesBack, type Held } from './faultRun.js';
import { now, rowOf, secs, sleep, timeUntil } from './figures.js';
import { startTcpRig, TICK_MS, TIMEOUT_MS, type Lane, type TcpRig } from './tcpRig.js';
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';

/** src/app.ts: unavailableAfterMs (60 s, and at least two failed reads). */
const GRACE_MS = 60_000;
/** src/modbus/buses.ts: REOPEN_AFTER_TIMEOUTS. */
const REOPEN_AFTER = 3;
const OPTS = DEFAULT_BUS_OPTIONS;

const DURATIONS = {
  short: { outageMs: 80_000, stormMs: 60_000, slowMs: 30_000, baselineMs: 20_000 },
  long: { outageMs: 600_000, stormMs: 300_000, slowMs: 300_000, baselineMs: 60_000 },
} as const;

const lane = (rig: TcpRig, name: string): Lane => {
  const l = rig.lanes.get(name);
  if (!l) throw new Error(`no lane ${name}`);
  return l;
};

/** The upper edge of the back-off after failure `k` (0-based): min(cap, base · 2^k). */
const step = (k: number, base: number, cap: number): number => Math.min(cap, base * 2 ** k);

/** Device offline or silent for `holdMs`: unavailable within the grace, back within one back-off step. */
async function outage(rig: TcpRig, l: Lane, mode: FaultMode, holdMs: number, what: string, stepCapMs: number, stepName: string): Promise<ReliabilityRow> {
  const pollMs = l.intervalS * 1000;
  const unavailBound = GRACE_MS + 2 * (pollMs + TIMEOUT_MS);
  const backBound = stepCapMs + pollMs + TIMEOUT_MS;
  const h: Held = await holdFault(rig, l, () => l.proxy.set(mode), holdMs, backBound + 30_000);
  const unavailable = h.unavailableAt === undefined ? undefined : h.unavailableAt - h.t0;
  const back = h.backAt === undefined ? undefined : h.backAt - h.t1;
  const sent = h.during.requests - h.before.requests;
  const opened = h.during.connections - h.before.connections;
  return rowOf(`${what} for ${secs(holdMs)}`,
    `unavailable after the ${secs(GRACE_MS)} grace and within ${secs(unavailBound)} (grace + 2 × (poll ${secs(pollMs)} + timeout ${secs(TIMEOUT_MS)})); back within ${secs(backBound)} (one ${stepName} step, ${secs(stepCapMs)} cap, + poll + timeout); ≤ 1 outstanding; alive`, [
      { ok: unavailable !== undefined && unavailable >= GRACE_MS && unavailable <= unavailBound, figure: `unavailable after ${secs(unavailable)}` },
      { ok: back !== undefined && back <= backBound, figure: `values back ${secs(back)} after its return` },
      { ok: h.peak <= 1, figure: `${sent} requests and ${opened} connections during the fault, at most ${h.peak} outstanding` },
      { ok: h.alive, figure: `app ${h.alive ? 'alive' : 'down'}` },
    ]);
}

/** Freezes the lane's connection with no FIN or RST: the app must notice by its timeouts and reopen. */
async function halfOpen(rig: TcpRig, l: Lane): Promise<ReliabilityRow> {
  const pollMs = l.intervalS * 1000;
  let backoffs = 0;
  for (let k = 0; k < REOPEN_AFTER; k++) backoffs += step(k, OPTS.unitBackoffBaseMs, OPTS.unitBackoffMaxMs);
  const bound = REOPEN_AFTER * TIMEOUT_MS + backoffs + (REOPEN_AFTER + 1) * pollMs;
  await afterNextValue(rig, l);
  l.proxy.resetMaxOutstanding();
  const before = l.proxy.counters();
  const t0 = performance.now();
  l.proxy.halfOpen();
  const reopenedAt = await timeUntil(() => l.proxy.counters().connections > before.connections, bound + 30_000);
  const lost = l.proxy.counters().swallowed - before.swallowed;
  const backAt = reopenedAt === undefined ? undefined : await valuesBack(rig, l, performance.now() - (now() - reopenedAt), bound + 30_000);
  const back = backAt === undefined ? undefined : backAt - t0;
  const alive = rig.alive();
  return rowOf('half-open TCP connection (no FIN, no RST)',
    `reopened after at most ${REOPEN_AFTER} timeouts in a row; back within ${secs(bound)} (${REOPEN_AFTER} × timeout + unit back-offs ${secs(backoffs)} + ${REOPEN_AFTER + 1} polls); ≤ 1 outstanding; alive`, [
      { ok: reopenedAt !== undefined && lost >= 1 && lost <= REOPEN_AFTER, figure: reopenedAt === undefined ? 'never reopened' : `reopened after ${lost} unanswered requests` },
      { ok: back !== undefined && back <= bound, figure: `values back after ${secs(back)}` },
      { ok: l.proxy.maxOutstanding() <= 1, figure: `at most ${l.proxy.maxOutstanding()} outstanding` },
      { ok: alive, figure: `app ${alive ? 'alive' : 'down'}` },
    ]);
}

/** Requests per minute on the lane over `ms` of normal service. */
async function baseline(l: Lane, ms: number): Promise<number> {
  const before = l.proxy.counters();
  await sleep(ms);
  return perMinute(before, l.proxy.counters(), ms);
}

/**
 * The most back-off expiries a storm of `holdMs` can see: the unit's storm back-off (unitStorms.ts)
 * at its shortest jitter, min(cap, base · 2^n) · 0.5, summed until the storm is over.
 */
function mostProbes(holdMs: number): number {
  let probes = 0;
  for (let at = 0, n = 0; ; n++) {
    at += 0.5 * Math.min(STORM_BACKOFF_MAX_MS, OPTS.unitBackoffBaseMs * 2 ** n);
    if (at > holdMs) return probes;
    probes++;
  }
}

/** Every request answered with exception `code` for `holdMs`: the unit backed off, no pile-up, each answer counted, back after. */
async function storm(rig: TcpRig, l: Lane, code: 4 | 6, holdMs: number, normalPerMin: number): Promise<ReliabilityRow> {
  const pollMs = l.intervalS * 1000;
  // a troubled answer is one request under exception 4 (a block, then its halves) and 1 + retries under 6
  const perAnswer = code === 6 ? 1 + OPTS.busyRetries : 1;
  const probes = mostProbes(holdMs);
  const maxRequests = perAnswer * (TROUBLE_IN_A_ROW + probes);
  const backBound = STORM_BACKOFF_MAX_MS + pollMs + TIMEOUT_MS;
  await afterNextValue(rig, l); // snapshots while the bus is quiet: app and proxy counters then agree
  const app0 = await rig.busFigures(l);
  const h = await holdFault(rig, l, () => l.proxy.set({ kind: 'exceptions', code }), holdMs, backBound + 30_000);
  const app1 = await rig.busFigures(l);
  const after = l.proxy.counters();
  const answered = (after.exceptions[code] ?? 0) - (h.before.exceptions[code] ?? 0);
  const sent = after.requests - h.before.requests;
  const appSent = app1.transport.requests - app0.transport.requests;
  const retries = app1.transport.busyRetries - app0.transport.busyRetries;
  const errors = app1.transport.errors - app0.transport.errors;
  // each answer is either retried (busy) or fails its request: the app's counters must account for every one
  const accounted = code === 6 ? retries + errors === answered && retries > 0 : errors === answered && retries === 0;
  const stormSent = h.during.requests - h.before.requests;
  const stormRate = perMinute(h.before, h.during, h.t1 - h.t0);
  const back = h.backAt === undefined ? undefined : h.backAt - h.t1;
  const perAnswerText = code === 6 ? `${perAnswer} (1 + ${OPTS.busyRetries} busy retries)` : '1';
  return rowOf(`exception ${code} storm for ${secs(holdMs)}`,
    `backed off: ≤ ${maxRequests} requests in the storm (${TROUBLE_IN_A_ROW} troubled answers, then at most ${probes} probes at the storm back-off's shortest steps; ${perAnswerText} request${perAnswer > 1 ? 's' : ''} each); every exception counted${code === 6 ? ' as a busy retry or an error' : ' as an error, none retried'}; back within ${secs(backBound)} (back-off cap + poll + timeout); ≤ 1 outstanding; alive`, [
      { ok: stormSent <= maxRequests, figure: `${stormSent} requests, ${stormRate.toFixed(0)} req/min during the storm vs ${normalPerMin.toFixed(0)} normal (${(stormRate / normalPerMin).toFixed(1)}×)` },
      { ok: accounted && appSent === sent, figure: `${answered} exceptions answered; the app counted ${retries} busy retries and ${errors} errors in ${appSent} requests (proxy saw ${sent})` },
      { ok: true, figure: h.unavailableAt === undefined ? 'stayed available' : `unavailable after ${secs(h.unavailableAt - h.t0)}` },
      { ok: back !== undefined && back <= backBound, figure: `values back ${secs(back)} after` },
      { ok: h.peak <= 1, figure: `at most ${h.peak} outstanding` },
      { ok: h.alive, figure: `app ${h.alive ? 'alive' : 'down'}` },
    ]);
}

/** Every reply held back `ms`: one request at a time, the missed slots counted as overruns, values flowing. */
async function slow(rig: TcpRig, l: Lane, ms: number, holdMs: number, baselineMs: number): Promise<ReliabilityRow> {
  const pollMs = l.intervalS * 1000;
  const gapBound = TICK_MS + 2 * (pollMs + ms);
  const normal0 = await rig.busFigures(l);
  await sleep(baselineMs);
  const app0 = await rig.busFigures(l);
  l.proxy.resetMaxOutstanding();
  const before = l.proxy.counters();
  await l.proxy.set({ kind: 'turnaround', ms });
  const t0 = performance.now();
  await sleep(holdMs);
  const t1 = performance.now();
  const app1 = await rig.busFigures(l);
  const during = l.proxy.counters();
  await l.proxy.set({ kind: 'pass' });
  const overruns = app1.overruns - app0.overruns;
  const cycles = app1.cycles - app0.cycles;
  const values = messages(rig, l.counterState, t0, t1).length;
  const gap = longestGapMs(rig, l, t0, t1);
  const alive = rig.alive();
  return rowOf(`${ms} ms turnaround for ${secs(holdMs)} (polls every ${secs(pollMs)})`,
    `≤ 1 outstanding; overruns counted (> 0: a ${ms} ms reply cannot keep a ${secs(pollMs)} poll); a new value at least every ${secs(gapBound)} (counter tick + 2 × (poll + turnaround)); alive`, [
      { ok: l.proxy.maxOutstanding() <= 1, figure: `at most ${l.proxy.maxOutstanding()} outstanding, ${perMinute(before, during, t1 - t0).toFixed(0)} req/min` },
      { ok: overruns > 0, figure: `${overruns} overruns counted in ${cycles} poll cycles (${app0.overruns - normal0.overruns} in the ${secs(baselineMs)} before)` },
      { ok: values > 0 && gap <= gapBound, figure: `${values} new values, longest gap ${secs(gap)}` },
      { ok: alive, figure: `app ${alive ? 'alive' : 'down'}` },
    ]);
}

/** The device gone and then a half-open connection on one lane; a silent gateway on another, meanwhile. */
export const tcpOutages: ReliabilityScenario = {
  name: 'tcp-outages',
  async run(length: ReliabilityLength): Promise<ReliabilityRow[]> {
    const d = DURATIONS[length];
    const rig = await startTcpRig([{ name: 'gone', intervalS: 2 }, { name: 'silent', intervalS: 2 }]);
    try {
      const gone = async () => [
        await outage(rig, lane(rig, 'gone'), { kind: 'offline' }, d.outageMs, 'device offline (connections refused)', OPTS.reconnectMaxMs, 'reconnect back-off'),
        await halfOpen(rig, lane(rig, 'gone')),
      ];
      const silent = () => outage(rig, lane(rig, 'silent'), { kind: 'blackhole' }, d.outageMs, 'gateway accepts TCP but never answers', OPTS.unitBackoffMaxMs, 'unit back-off');
      const [rows, silentRow] = await Promise.all([gone(), silent()]);
      return [...rows.slice(0, 1), silentRow, ...rows.slice(1)];
    } finally {
      await rig.stop();
    }
  },
};

/** Exception 4 and 6 storms and a slow device, each on its own lane, at the same time. */
export const tcpReplies: ReliabilityScenario = {
  name: 'tcp-replies',
  async run(length: ReliabilityLength): Promise<ReliabilityRow[]> {
    const d = DURATIONS[length];
    const rig = await startTcpRig([{ name: 'failing', intervalS: 2 }, { name: 'busy', intervalS: 2 }, { name: 'slow', intervalS: 0.5 }]);
    try {
      const stormOn = async (name: string, code: 4 | 6) => {
        const l = lane(rig, name);
        return storm(rig, l, code, d.stormMs, await baseline(l, d.baselineMs));
      };
      return await Promise.all([stormOn('failing', 4), stormOn('busy', 6), slow(rig, lane(rig, 'slow'), 500, d.slowMs, d.baselineMs)]);
    } finally {
      await rig.stop();
    }
  },
};
