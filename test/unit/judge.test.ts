import { describe, expect, it } from '@jest/globals';
import { expectedAgeMs } from '../../src/metrics/ageModel.js';
import { ageDifference, estimateEffect, LOOKS, pooledRate, predictImprovement, verdictOf, worthExtending, type JudgeInputs } from '../../src/optimizer/judge.js';
import { splitArms, withoutFreeRiders } from '../../src/optimizer/experiments.js';
import { blockedBy, moveKey, remember, type LostMove } from '../../src/optimizer/memory.js';
import type { BusPlan } from '../../src/optimizer/objective.js';
import type { Change, Experiment } from '../../src/optimizer/types.js';
import { seededRandom } from '../../src/core/random.js';

const S = 1000;
const HOUR = 3600 * S;

const interval = (target: string, before: number, after: number, value = 1): Change =>
  ({ kind: 'interval', target, before, after, entities: [target], evidence: { value, lower: value * 0.8, upper: value * 1.2 } });

const plan = (price: number): BusPlan => ({
  bus: 'b', goal: 'freshest', price, ratedEntities: 2, feasible: true,
  reference: { meanAgeMs: 5 * S, busFraction: 0.01 }, planned: { meanAgeMs: 0, busFraction: 0 },
});

describe('age difference at the rate seen in the window', () => {
  it('is the model difference at the censored rate, with a smaller error for more polls', () => {
    // 225 polls at 16 s over an hour, 100 of them changed
    const small = ageDifference(32 * S, 16 * S, [{ polls: 225, changes: 100, intervalMs: 16 * S }]);
    const rate = -Math.log((225 - 100 + 0.5) / 225.5) / (16 * S);
    expect(small.valueMs).toBeCloseTo(expectedAgeMs(16 * S, rate) - expectedAgeMs(32 * S, rate), 6);
    expect(small.valueMs).toBeLessThan(0); // faster is fresher
    const more = ageDifference(32 * S, 16 * S, [{ polls: 2250, changes: 1000, intervalMs: 16 * S }]);
    expect(more.valueMs / small.valueMs).toBeCloseTo(1, 2); // the same rate (up to the +0.5 correction)
    expect(more.se).toBeLessThan(small.se / 2);
  });

  it('spans up to an unbounded rate when every poll changed (the rate is only a lower bound)', () => {
    const saturated = ageDifference(32 * S, 16 * S, [{ polls: 100, changes: 100, intervalMs: 16 * S }]);
    expect(saturated.se).toBeGreaterThanOrEqual(Math.abs(-8 * S - saturated.valueMs) - 1e-6);
  });

  it('has no evidence without polls: the whole possible difference is its error', () => {
    expect(ageDifference(16 * S, 8 * S, [])).toEqual({ valueMs: 0, se: 4 * S });
  });

  it('pools polls before the move (old interval) with the window (new interval): the same rate, less doubt', () => {
    // a value that never changed: an hour at 15 s before the move, an hour at 256 s after it
    const window = { polls: 14, changes: 0, intervalMs: 256 * S };
    const pre = { polls: 240, changes: 0, intervalMs: 15 * S };
    const alone = ageDifference(15 * S, 256 * S, [window]);
    const pooled = ageDifference(15 * S, 256 * S, [pre, window]);
    expect(pooled.se).toBeLessThan(alone.se * 0.8); // twice the observed time
    // and a value that changed: the pooled rate lies between the groups' own estimates
    const busy = { polls: 240, changes: 60, intervalMs: 15 * S };
    const later = { polls: 14, changes: 10, intervalMs: 256 * S };
    const rate = pooledRate([busy, later]).ratePerMs;
    const own = [pooledRate([busy]).ratePerMs, pooledRate([later]).ratePerMs].sort((a, b) => a - b);
    expect(rate).toBeGreaterThan(own[0] ?? 0);
    expect(rate).toBeLessThan(own[1] ?? 0);
  });
});

describe('verdicts', () => {
  it('adopts beyond two standard errors, rejects below minus two or the rollback threshold, else inconclusive', () => {
    expect(verdictOf({ improvement: 0.05, standardError: 0.02 }, -0.1)).toBe('adopted');
    expect(verdictOf({ improvement: 0.03, standardError: 0.02 }, -0.1)).toBe('inconclusive');
    expect(verdictOf({ improvement: -0.05, standardError: 0.02 }, -0.1)).toBe('rejected');
    expect(verdictOf({ improvement: -0.2, standardError: 0.5 }, -0.1)).toBe('rejected');
  });

  it('asks more of a gain at later looks (2.5 standard errors), and extends only a lean to a gain while looks are left', () => {
    const effect = { improvement: 0.045, standardError: 0.02 }; // 2.25 standard errors
    expect(verdictOf(effect, -0.1, 0)).toBe('adopted');
    expect(verdictOf(effect, -0.1, 1)).toBe('inconclusive');
    expect(verdictOf({ improvement: 0.051, standardError: 0.02 }, -0.1, 2)).toBe('adopted');
    expect(worthExtending({ improvement: 0.01 }, 0)).toBe(true);
    expect(worthExtending({ improvement: 0.01 }, LOOKS - 1)).toBe(false);
    expect(worthExtending({ improvement: -0.01 }, 0)).toBe(false);
  });
});

describe('the effect of an experiment in the one objective', () => {
  function inputs(over: Partial<JudgeInputs> = {}): JudgeInputs {
    const intervals = new Map([['fast', 8 * S], ['other', 16 * S]]);
    return {
      busOf: () => 'b',
      counters: (id) => (id === 'fast'
        ? { polls: 450, changes: 400, intervalMs: 8 * S, triggeredReads: 0, savedAgeMs2: 0 }
        : { polls: 225, changes: 0, intervalMs: 16 * S, triggeredReads: 10, savedAgeMs2: 10 * (4 * S) ** 2 / 2 }),
      busyMs: () => 0.02 * HOUR, // the bus was measured twice as busy as modelled
      scheduled: (_bus, overrides) => [...intervals].reduce((s, [id, t]) => s + 45 / (overrides.get(id) ?? t), 0),
      singleReadMs: () => 45,
      groupOf: (id) => id,
      ...over,
    };
  }
  const exp = (price: number): Experiment => ({
    control: [], plans: [plan(price)], windowFrom: 0, startBusyMs: { b: 0 },
    startCounters: { fast: { polls: 0, changes: 0, triggeredReads: 0, savedAgeMs2: 0 }, other: { polls: 0, changes: 0, triggeredReads: 0, savedAgeMs2: 0 } },
  });

  it('charges the bus by the schedule model scaled by the measured busy time, and credits the age at the window\'s rate', () => {
    const e = estimateEffect([interval('fast', 16 * S, 8 * S)], exp(1e-5), inputs(), HOUR);
    const modelled = 45 / (8 * S) - 45 / (16 * S);
    const scale = 0.02 / (45 / (8 * S) + 45 / (16 * S));
    expect(e.busFraction).toBeCloseTo(scale * modelled, 9);
    const age = ageDifference(16 * S, 8 * S, [{ polls: 450, changes: 400, intervalMs: HOUR / 450 }]);
    expect(e.meanAgeMs).toBeCloseTo(age.valueMs / 2, 6);
    const value = e.busFraction + 1e-5 * e.meanAgeMs;
    expect(e.improvement).toBeCloseTo(-value / (0.01 + 1e-5 * 5 * S), 9);
    expect(e.standardError).toBeGreaterThan(0);
  });

  it('signs follow the price: with age worth little the bus time decides, with age dear the freshness', () => {
    const cheap = estimateEffect([interval('fast', 16 * S, 8 * S)], exp(1e-9), inputs(), HOUR);
    const dear = estimateEffect([interval('fast', 16 * S, 8 * S)], exp(1e-4), inputs(), HOUR);
    expect(cheap.improvement).toBeLessThan(0);
    expect(dear.improvement).toBeGreaterThan(0);
  });

  it('measures a cluster by what its triggered reads removed and cost', () => {
    const adopt: Change = { kind: 'cluster', target: 'cluster:a+b', before: null, after: {}, entities: ['other'] };
    const e = estimateEffect([adopt], exp(1e-5), inputs(), HOUR);
    expect(e.meanAgeMs).toBeCloseTo(-(10 * (4 * S) ** 2 / 2) / HOUR / 2, 6);
    expect(e.busFraction).toBeGreaterThan(0);
  });

  it('ignores entities whose counters went backwards (the app restarted) or were never noted', () => {
    const restarted = { ...exp(1e-5), startCounters: { fast: { polls: 1000, changes: 900, triggeredReads: 0, savedAgeMs2: 0 } } };
    const backwards = estimateEffect([interval('fast', 16 * S, 8 * S)], restarted, inputs(), HOUR);
    expect(backwards.meanAgeMs).toBe(0);
    expect(backwards.busFraction).toBe(0);
    const e = estimateEffect([interval('fast', 16 * S, 8 * S)], { ...exp(1e-5), startCounters: {} }, inputs(), HOUR);
    expect(e.meanAgeMs).toBe(0);
    expect(e.busFraction).toBe(0);
  });
});

describe('arms and memory', () => {
  it('splits a proposal at random into halves, the treated arm taking the odd one', () => {
    const changes = ['a', 'b', 'c', 'd', 'e'].map((id) => interval(id, 16 * S, 8 * S));
    const { treated, control } = splitArms(changes, seededRandom(1));
    expect(treated.length).toBe(3);
    expect([...treated, ...control].map((c) => c.target).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(splitArms(changes, seededRandom(2)).treated.map((c) => c.target)).not.toEqual(treated.map((c) => c.target));
    expect(splitArms([changes[0] as Change], seededRandom(1))).toEqual({ treated: [changes[0]], control: [] });
  });

  it('blocks a lost move in the same direction until its evidence leaves the remembered interval', () => {
    const memory: LostMove[] = [];
    remember(memory, interval('a', 16 * S, 64 * S, 10), 0, 1);
    expect(moveKey(interval('a', 16 * S, 32 * S))).toBe('interval:a:slower');
    expect(blockedBy(memory, interval('a', 16 * S, 32 * S, 11))).toMatchObject({ recordId: 1 });
    expect(blockedBy(memory, interval('a', 16 * S, 8 * S, 11))).toBeUndefined(); // the other direction is a different move
    expect(blockedBy(memory, interval('a', 16 * S, 32 * S, 20))).toBeUndefined(); // 20 is outside 8…12: reopened
    expect(memory).toEqual([]);
  });
});

describe('free riders in a block group', () => {
  it('drops a move the group scores better without, keeps moves the gain needs', () => {
    const [a, b, c] = [interval('a', 15 * S, 60 * S), interval('b', 15 * S, 60 * S), interval('c', 15 * S, 120 * S)];
    // a and b together free the block (the gain needs both); c only adds age
    const score = (changes: readonly Change[]) => {
      const has = (x: Change) => changes.includes(x);
      return (has(a) && has(b) ? 1 : 0) - (has(c) ? 0.3 : 0);
    };
    expect(withoutFreeRiders([a, b, c] as Change[], score)).toEqual({ kept: [a, b], improvement: 1 });
    expect(withoutFreeRiders([c] as Change[], score)).toEqual({ kept: [c], improvement: -0.3 }); // a single move: kept, judged by its score
  });
});

describe('the actor\'s prediction of a cluster', () => {
  const members = ['hp_power', 'hp_flow'];
  const adopt: Change = { kind: 'cluster', target: 'cluster:hp_flow+hp_power', before: null, after: { id: 'x', members, score: 0.9 }, entities: members };
  const inputs: JudgeInputs = {
    busOf: () => 'b', counters: () => ({ polls: 0, changes: 0, intervalMs: 60 * S, triggeredReads: 0, savedAgeMs2: 0 }),
    busyMs: () => undefined, scheduled: () => 0.01, singleReadMs: () => 40, groupOf: (id) => id,
  };
  const rate = () => 1 / (600 * S); // a change every 10 minutes, polled every 60 s

  it('is the triggered reads\' saved age against their bus time: worth it when age is dear, not when bus time is', () => {
    // each member: λ·T²/6 = 60,000² / 6 / 600,000 = 1,000 ms of age removed on average, for λ·40 ms = 6.7e-5 of bus time
    expect(predictImprovement([adopt], [plan(1e-3)], inputs, rate)).toBeGreaterThan(0);
    expect(predictImprovement([adopt], [plan(1e-9)], inputs, rate)).toBeLessThan(0);
  });
});

