// The exact bound (bench/exactBound.ts) on small problems: its pieces are convex where the proof needs
// them to be, its optimum at a price is the brute-force optimum, and no fixed-interval schedule —
// priced with the same request and register times — ever beats the staleness it proves.
import { describe, expect, it } from '@jest/globals';
import { expectedAgeMs } from '../../src/metrics/ageModel.js';
import { seededRandom } from '../../src/core/random.js';
import { boundAtPrice, boundCurve, busBoundAt, goldenMin, stalenessBoundAt, type BoundProblem } from '../../bench/exactBound.js';

const S = 1000;
const HOUR = 3600 * S;

function problem(rates: number[][], opts: { requestMs?: number; marginalMs?: number; groups?: string[]; minMs?: number } = {}): BoundProblem {
  const n = rates[0]?.length ?? 0;
  const groups = opts.groups ?? Array.from({ length: n }, () => 'g');
  return {
    entities: groups.map((group) => ({ group, marginalMs: opts.marginalMs ?? 2, minIntervalMs: opts.minMs ?? 5 * S })),
    requestMs: new Map([...new Set(groups)].map((g) => [g, opts.requestMs ?? 40])),
    pieces: rates.map((r) => ({ durationMs: HOUR, ratesPerMs: Float64Array.from(r, (x) => x / HOUR) })),
    windowMs: rates.length * HOUR, buses: 1,
  };
}

/** Expected mean staleness and utilisation of reading entity i every intervals[i] from each piece's start. */
function fixedSchedule(p: BoundProblem, intervals: number[]): { staleness: number; bus: number } {
  let area = 0;
  let busMs = 0;
  for (const piece of p.pieces) {
    const readsByGroup = new Map<string, number>();
    p.entities.forEach((e, i) => {
      const T = intervals[i] as number;
      const reads = Math.floor(piece.durationMs / T);
      const rate = piece.ratesPerMs[i] ?? 0;
      // full gaps of T, then the remainder after the last read
      const rest = piece.durationMs - reads * T;
      area += reads * T * expectedAgeMs(T, rate) + rest * expectedAgeMs(rest, rate);
      busMs += reads * e.marginalMs;
      readsByGroup.set(e.group, Math.max(readsByGroup.get(e.group) ?? 0, reads));
    });
    for (const [g, reads] of readsByGroup) busMs += reads * (p.requestMs.get(g) ?? 0);
  }
  return { staleness: area / (p.entities.length * p.windowMs), bus: busMs / (p.windowMs * p.buses) };
}

describe('exact bound', () => {
  it('integrates a convex staleness in the number of reads of a piece', () => {
    for (const perHour of [0.5, 12, 360, 3600]) {
      const f = (n: number) => HOUR * expectedAgeMs(HOUR / (n + 1), perHour / HOUR);
      for (let n = 0; n < 2000; n += 7) expect(f(n) - 2 * f(n + 1) + f(n + 2)).toBeGreaterThanOrEqual(-1e-6 * f(n));
    }
  });

  it('finds the brute-force optimum of one entity at a price', () => {
    const p = problem([[120]], { requestMs: 0, marginalMs: 50 });
    const pt = boundAtPrice(p, 1e4);
    const q = 1e4 / HOUR;
    const cost = (n: number) => expectedAgeMs(HOUR / (n + 1), 120 / HOUR) + q * 50 * n;
    let best = Infinity;
    for (let n = 0; n <= 719; n += 0.01) best = Math.min(best, cost(n));
    expect(pt.meanStalenessMs + 1e4 * pt.busUtilisation).toBeCloseTo(best, 3);
    expect(goldenMin((x) => (x - 3) ** 2, 0, 10).x).toBeCloseTo(3, 6);
  });

  it('is never beaten by a fixed-interval schedule priced the same way', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 6;
      const rates = [0, 1].map(() => Array.from({ length: n }, () => (random() < 0.2 ? 0 : 10 ** (random() * 3.5))));
      const p = problem(rates, { groups: ['a', 'a', 'a', 'b', 'b', 'c'] });
      const curve = boundCurve(p);
      const intervals = Array.from({ length: n }, () => 5 * S * 2 ** Math.floor(random() * 8));
      const { staleness, bus } = fixedSchedule(p, intervals);
      expect(stalenessBoundAt(curve, bus)).toBeLessThanOrEqual(staleness * (1 + 1e-9));
      expect(busBoundAt(curve, staleness)).toBeLessThanOrEqual(bus * (1 + 1e-9) + 1e-12);
    }
  });

  it('proves less staleness for more bus time, and zero for values that never change', () => {
    const p = problem([[360, 30, 0], [0, 30, 0]]);
    const curve = boundCurve(p);
    const at = [0.001, 0.01, 0.05, 0.2].map((b) => stalenessBoundAt(curve, b));
    for (let i = 1; i < at.length; i++) expect(at[i]).toBeLessThanOrEqual(at[i - 1] as number);
    expect(at[0]).toBeGreaterThan(0);
    expect(stalenessBoundAt(boundCurve(problem([[0, 0]])), 0)).toBe(0);
  });
});

describe('the bound on a benchmark window', () => {
  it('groups by readable range, bounds linked and multi-state values by zero, and cuts at sunrise', async () => {
    const { boundProblem } = await import('../../bench/boundProblem.js');
    const { siteByName } = await import('../../src/sim/sites.js');
    const start = Date.UTC(2026, 5, 1, 5);
    const { problem, walkReturnShare } = boundProblem({ site: 'solar-home', seed: 1, runStartMs: start - HOUR, epochMs: start - HOUR, startMs: start, durationMs: 2 * HOUR });
    expect(problem.pieces.map((p) => p.durationMs)).toEqual([HOUR, HOUR]); // the sun rises at 06:00
    const points = siteByName('solar-home').devices.flatMap(({ device }) => device.points);
    expect(problem.entities).toHaveLength(points.length);
    points.forEach((pt, i) => {
      if (pt.process.kind === 'linked' || pt.process.kind === 'states' || pt.process.kind === 'constant') {
        for (const piece of problem.pieces) expect(piece.ratesPerMs[i]).toBe(0);
      }
    });
    const inverterInput = problem.entities.filter((e) => e.group.includes('|1|4|'));
    expect(new Set(inverterInput.map((e) => e.group)).size).toBeGreaterThan(1); // its input registers lie in several ranges
    expect(walkReturnShare).toBeGreaterThan(0);
    expect(walkReturnShare).toBeLessThan(0.2);
  });
});
