/**
 * What a TCP fault scenario measures on one lane, from the MQTT side and the fault proxy only: when the
 * lane's device went unavailable, when values flowed again, how many requests the app sent (and how
 * many at once), and the gaps between new values. Times are performance.now() milliseconds; the figures
 * are turned into rows by tcpFaults.ts.
 */
import type { FaultCounters } from './faultProxy.js';
import { sleep } from './figures.js';
import type { Lane, TcpRig } from './tcpRig.js';

/** Messages on `topic` that arrived in [from, to), with their arrival times. */
export function messages(rig: TcpRig, topic: string, from: number, to = Infinity): Array<{ at: number; payload: string }> {
  const out: Array<{ at: number; payload: string }> = [];
  rig.ha.log.forEach((m, i) => {
    const at = rig.stampOf(i);
    if (m.topic === topic && at >= from && at < to) out.push({ at, payload: m.payload });
  });
  return out;
}

/** When the lane's device was first announced offline in [from, to), if it was. */
export function unavailableAt(rig: TcpRig, lane: Lane, from: number, to: number): number | undefined {
  return messages(rig, lane.deviceAvailability, from, to).find((m) => m.payload === 'offline')?.at;
}

/**
 * Waits for values to flow again after `since`: a new counter value in HA while its device is online.
 * Returns when that was, or undefined after `timeoutMs`.
 */
export async function valuesBack(rig: TcpRig, lane: Lane, since: number, timeoutMs: number): Promise<number | undefined> {
  const check = () => {
    if (rig.ha.latest.get(lane.deviceAvailability) !== 'online') return undefined;
    return messages(rig, lane.counterState, since)[0]?.at;
  };
  try {
    // the stamper runs every 20 ms: give it one more round so the stamp is the message's
    await rig.ha.waitFor(() => rig.ha.log.length > 0 && check() !== undefined, `values of ${lane.name} again`, timeoutMs);
    await sleep(40);
    return check();
  } catch {
    return undefined;
  }
}

/** The longest time without a new value in HA in [from, to] (the window's edges count as values). */
export function longestGapMs(rig: TcpRig, lane: Lane, from: number, to: number): number {
  const times = [from, ...messages(rig, lane.counterState, from, to).map((m) => m.at), to];
  return Math.max(...times.slice(1).map((t, i) => t - (times[i] ?? t)));
}

/** Requests the app sent per minute between two proxy snapshots `ms` apart. */
export function perMinute(before: FaultCounters, after: FaultCounters, ms: number): number {
  return ((after.requests - before.requests) / ms) * 60_000;
}

/** Waits until the next new value arrives on the lane (a poll just ended: the bus is quiet for a while). */
export async function afterNextValue(rig: TcpRig, lane: Lane, timeoutMs = 10_000): Promise<void> {
  const from = rig.ha.log.length;
  await rig.ha.waitFor(() => rig.ha.log.slice(from).some((m) => m.topic === lane.counterState) || undefined, `a value of ${lane.name}`, timeoutMs);
}

/** What happened on a lane while a fault held for a fixed time and after it was lifted. */
export interface Held {
  /** Fault start and end. */
  t0: number;
  t1: number;
  /** When the device went unavailable (from t0), and when values flowed again (from t1). */
  unavailableAt: number | undefined;
  backAt: number | undefined;
  /** Proxy counters at t0 and t1. */
  before: FaultCounters;
  during: FaultCounters;
  /** Most requests outstanding at once from t0 until values were back. */
  peak: number;
  alive: boolean;
}

/** Holds a fault on the lane for `holdMs`, lifts it, and waits up to `backTimeoutMs` for values. */
export async function holdFault(rig: TcpRig, lane: Lane, start: () => Promise<void>, holdMs: number, backTimeoutMs: number): Promise<Held> {
  lane.proxy.resetMaxOutstanding();
  const before = lane.proxy.counters();
  const t0 = performance.now();
  await start();
  await sleep(holdMs);
  const during = lane.proxy.counters();
  const t1 = performance.now();
  await lane.proxy.set({ kind: 'pass' });
  const backAt = await valuesBack(rig, lane, t1, backTimeoutMs);
  return { t0, t1, unavailableAt: unavailableAt(rig, lane, t0, t1 + backTimeoutMs), backAt, before, during, peak: lane.proxy.maxOutstanding(), alive: rig.alive() };
}
