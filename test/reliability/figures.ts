/**
 * Small measuring tools the fault scenarios share, so every row is built the same way: wait for a
 * condition and say when it came true (or that it never did, as a figure rather than a throw), sort
 * timings into p50/max, and fold a scenario's checks into one ReliabilityRow whose figure says which
 * check missed.
 */
import type { ReliabilityRow } from './types.js';

/** One thing a row asserts: what was measured (as text) and whether it kept its bound. */
export interface Check {
  ok: boolean;
  figure: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const now = (): number => new Date().getTime();

/** Seconds with one decimal ("3.2 s"); "never" for a condition that did not come true. */
export function secs(ms: number | undefined): string {
  return ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Polls `check` every 20 ms of real time; resolves with the time it first held (epoch ms), or
 * undefined once `timeoutMs` passed without it.
 */
export async function timeUntil(check: () => boolean, timeoutMs: number): Promise<number | undefined> {
  const deadline = now() + timeoutMs;
  for (;;) {
    if (check()) return now();
    if (now() > deadline) return undefined;
    await sleep(20);
  }
}

/** p50 and max of timings; undefined ones (never happened) make the max undefined. */
export function spread(values: Array<number | undefined>): { p50: number | undefined; max: number | undefined } {
  const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  const p50 = known.length === 0 ? undefined : known[Math.floor((known.length - 1) / 2)];
  const max = known.length < values.length || known.length === 0 ? undefined : known[known.length - 1];
  return { p50, max };
}

/** "p50 1.2 s, max 2.9 s" */
export function spreadText(values: Array<number | undefined>): string {
  const { p50, max } = spread(values);
  return `p50 ${secs(p50)}, max ${secs(max)}`;
}

/** True when every timing happened and the longest kept `boundMs`. */
export function allWithin(values: Array<number | undefined>, boundMs: number): boolean {
  const { max } = spread(values);
  return max !== undefined && max <= boundMs;
}

/** One row from a scenario's checks: met when all are; a missed check is marked in the figure. */
export function rowOf(fault: string, bound: string, checks: Check[]): ReliabilityRow {
  const figure = checks.map((c) => (c.ok ? c.figure : `${c.figure} [NOT MET]`)).join('; ');
  return { fault, figure, bound, met: checks.every((c) => c.ok) };
}
