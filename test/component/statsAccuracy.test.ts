import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SimPointSpec } from '../../src/sim/simDevice.js';
import { DAY, deviceRig, HOUR, quantile, type DeviceRig } from '../helpers/statsSite.js';

/**
 * Rate estimates against simulator ground truth: 40 entities of four kinds (continuous walk, two-
 * and three-state values, counter), each polled by the real Poller at an interval between 0.1× and
 * 2× its mean time between changes, for one simulated day.
 */
const KINDS = ['walk', 'states2', 'states3', 'counter'] as const;
const SCANS_S = [5, 10, 20, 30, 60];
const N = 40;

interface Case {
  id: string;
  kind: (typeof KINDS)[number];
  scanS: number;
  perHour: number;
}

const cases: Case[] = Array.from({ length: N }, (_, i) => {
  const kind = KINDS[i % KINDS.length] ?? 'walk';
  const lambdaT = 0.1 * 20 ** (Math.floor(i / KINDS.length) / (N / KINDS.length - 1));
  const scanS = SCANS_S[i % SCANS_S.length] ?? 10;
  return { id: `${kind}_${i}`, kind, scanS, perHour: (lambdaT / scanS) * 3600 };
});
/** Polled far too slowly (λT = 12, or 4 for two states): nearly every poll sees a change. */
const fast: Case[] = [
  { id: 'walk_fast', kind: 'walk', scanS: 10, perHour: 12 * 360 },
  { id: 'states2_fast', kind: 'states2', scanS: 10, perHour: 4 * 360 },
  { id: 'counter_fast', kind: 'counter', scanS: 10, perHour: 8 * 360 },
];

function pointOf(c: Case, address: number): SimPointSpec {
  const rate = { ratePerHour: () => c.perHour, peakRatePerHour: c.perHour };
  // float32 walks with three decimals: a value practically never returns to an earlier one unseen
  if (c.kind === 'walk') {
    const process = { kind: 'walk' as const, initial: 500, step: 5, min: 0, max: 1000, decimals: 3, ...rate };
    return { id: c.id, name: c.id, registerType: 'holding', address, dataType: 'float32', process };
  }
  const process = c.kind === 'counter' ? { kind: 'counter' as const, initial: 0, step: 1, ...rate }
    : { kind: 'states' as const, initial: 1, states: c.kind === 'states2' ? [0, 1] : [1, 2, 3], ...rate };
  return { id: c.id, name: c.id, registerType: 'holding', address, dataType: c.kind === 'counter' ? 'uint32' : 'uint16', process };
}


let rig: DeviceRig;
beforeAll(async () => {
  const scan = new Map([...cases, ...fast].map((c) => [c.id, c.scanS]));
  const device = { name: 'dev', unitId: 1, turnaroundMs: 2, ranges: { holding: [[0, 200]] as Array<[number, number]> }, points: [...cases, ...fast].map((c, i) => pointOf(c, i * 3)) };
  rig = deviceRig([device], (id) => scan.get(id) ?? 10);
  await rig.run(DAY);
}, 120_000);
afterAll(async () => rig.stop());

describe('rate estimates against ground truth (one simulated day, real poller)', () => {
  it('are within 10 % (median) and 25 % (90th percentile) where not saturated', () => {
    const rows = cases.map((c) => {
      const est = rig.stats.rate(c.id);
      const realised = ((rig.truth.get(c.id)?.length ?? 0) / DAY) * HOUR;
      return { ...c, est, realised, err: est ? Math.abs(est.ratePerHour - c.perHour) / c.perHour : Infinity };
    });
    const informative = rows.filter((r) => r.est && !r.est.saturated);
    const errors = informative.map((r) => r.err);
    expect(rows.every((r) => (rig.stats.tracking(r.id)?.polls ?? 0) >= 100)).toBe(true);
    expect(informative.length).toBeGreaterThanOrEqual(N * 0.8);
    expect(quantile(errors, 0.5)).toBeLessThanOrEqual(0.1);
    expect(quantile(errors, 0.9)).toBeLessThanOrEqual(0.25);
    // A saturated estimate is an honest lower bound.
    for (const r of rows.filter((x) => x.est?.saturated)) expect(r.est?.lower).toBeLessThanOrEqual(r.perHour);
  });

  it('says "saturated" (a lower bound) when nearly every poll changed, unless a counter\'s deltas tell more', () => {
    const walk = rig.stats.rate('walk_fast');
    const states = rig.stats.rate('states2_fast');
    const counter = rig.stats.rate('counter_fast');
    expect(walk).toMatchObject({ saturated: true, upper: Infinity, confidence: 0 });
    expect(walk?.ratePerHour).toBeLessThan(12 * 360);
    expect(states).toMatchObject({ saturated: true, upper: Infinity });
    expect(states?.ratePerHour).toBeLessThan(4 * 360);
    expect(counter).toMatchObject({ saturated: false, kind: 'counter', model: 'counter' });
    expect(Math.abs((counter?.ratePerHour ?? 0) / (8 * 360) - 1)).toBeLessThan(0.05);
    expect(rig.stats.recommendedIntervalMs('walk_fast')).toBe(5000); // halve the interval to learn more
  });
});
