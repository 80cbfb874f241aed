import { describe, expect, it } from '@jest/globals';
import { ContextStates } from '../../src/stats/contexts.js';
import { HOUR, START, synthRig, type SynthEntity } from '../helpers/statsSamples.js';

const S = 1000;
const daytime = (perHour: number) => (t: number) => {
  const h = ((t - START) % (24 * HOUR)) / HOUR;
  return h >= 6 && h < 18 ? perHour : 0;
};
const always = (perHour: number) => () => perHour;

describe('change tracking', () => {
  it('counts polls and changes, keeps a bounded ring of change times and the value range', async () => {
    const rig = synthRig([{ id: 'a', intervalMs: 5 * S, ratePerHour: always(360) }], { ringSize: 8 });
    await rig.run(HOUR);
    const t = rig.stats.tracking('a');
    expect(t?.polls).toBe(721);
    expect(t?.changedPolls).toBeGreaterThan(200);
    expect(t?.recentChanges).toHaveLength(8);
    expect(t?.recentChanges).toEqual([...(t?.recentChanges ?? [])].sort((x, y) => x - y));
    expect(t?.min).toBe(0);
    expect(t?.max).toBe(rig.truth.get('a')?.length);
    expect(t?.kind).toBe('counter'); // the value is the change count: deltas count the increments
  });

  it('classifies constant, counter, states and continuous values', async () => {
    const rig = synthRig([
      { id: 'constant', intervalMs: 10 * S },
      { id: 'counter', intervalMs: 10 * S, ratePerHour: always(200) },
      { id: 'toggle', intervalMs: 10 * S, ratePerHour: always(60), value: (n) => n % 2 === 1 },
      { id: 'three', intervalMs: 10 * S, ratePerHour: always(60), value: (n) => [1, 2, 3][n % 3] ?? 0 },
      { id: 'walk', intervalMs: 10 * S, ratePerHour: always(60), value: (n) => Math.round(1000 * Math.sin(n)) },
    ]);
    await rig.run(5 * 60 * S);
    expect(rig.stats.tracking('constant')?.kind).toBe('unknown'); // 31 polls, but only 5 minutes
    await rig.run(2 * HOUR);
    const kinds = ['constant', 'counter', 'toggle', 'three', 'walk'].map((id) => rig.stats.tracking(id)?.kind);
    expect(kinds).toEqual(['constant', 'counter', 'states', 'states', 'continuous']);
    expect(rig.stats.tracking('toggle')?.distinctValues).toEqual(['false', 'true']);
  });
});

describe('recommended interval', () => {
  it('keeps the current interval with too little data, goes to the maximum for constants, targets ½ change per poll', async () => {
    const rig = synthRig([
      { id: 'new', intervalMs: 7 * S, ratePerHour: always(100) },
      { id: 'constant', intervalMs: 10 * S },
      { id: 'steady', intervalMs: 10 * S, ratePerHour: always(36) },
    ], { maxRecommendedMs: 600 * S });
    await rig.run(60 * S);
    expect(rig.stats.recommendedIntervalMs('new')).toBe(7 * S);
    await rig.run(12 * HOUR);
    expect(rig.stats.recommendedIntervalMs('constant')).toBe(600 * S);
    const steady = rig.stats.rate('steady');
    const upperPerMs = (steady?.upper ?? 0) / HOUR;
    expect(rig.stats.recommendedIntervalMs('steady')).toBeCloseTo(0.5 / upperPerMs, 6);
    expect(rig.stats.recommendedIntervalMs('steady')).toBeGreaterThan(40 * S); // 0.5 / 36 per hour = 50 s
    expect(rig.stats.recommendedIntervalMs('unknown-entity')).toBeUndefined();
  });
});

describe('regimes', () => {
  it('finds a day/night split by time of day and reports the current regime', async () => {
    const rig = synthRig([
      { id: 'pv', intervalMs: 20 * S, ratePerHour: daytime(60) },
      { id: 'flat', intervalMs: 20 * S, ratePerHour: always(30) },
    ]);
    await rig.run(3 * 24 * HOUR + 12 * HOUR); // ends at noon
    const pv = rig.stats.regimes('pv');
    expect(pv?.timeOfDay?.significant).toBe(true);
    expect(pv?.timeOfDay?.segments.map((s) => s.label)).toEqual(['06:00–18:00', '18:00–06:00']);
    expect(pv?.timeOfDay?.segments[0]?.rate.ratePerHour).toBeGreaterThan(50);
    expect(pv?.timeOfDay?.segments[1]?.rate.ratePerHour).toBeLessThan(0.5); // a dusk change seen after 18:00
    expect(pv?.best?.kind).toBe('timeOfDay');
    expect(pv?.hourly).toHaveLength(24);
    expect(rig.stats.currentRegime('pv')).toMatchObject({ kind: 'timeOfDay', label: '06:00–18:00' });
    expect(rig.stats.currentRate('pv')?.ratePerHour).toBeGreaterThan(50);
    expect(rig.stats.regimes('flat')?.best).toBeUndefined();
    expect(rig.stats.currentRegime('flat')).toMatchObject({ kind: 'none', label: 'all', confidence: 1 });
  });

  it('finds a split by the state of a context entity', async () => {
    const pumpOn = (t: number) => Math.floor((t - START) / (45 * 60 * S)) % 2 === 1;
    const rig = synthRig([{ id: 'pump_speed', intervalMs: 10 * S, ratePerHour: (t) => (pumpOn(t) ? 120 : 2) }], {
      contextEntities: ['binary_sensor.pump'],
    });
    let state = '';
    for (let k = 0; k < 64; k++) {
      const next = pumpOn(rig.clock.now()) ? 'on' : 'off';
      if (next !== state) rig.events.emit('contextChanged', { entityId: 'binary_sensor.pump', state: next, previous: state, at: rig.clock.now() });
      state = next;
      await rig.run(45 * 60 * S);
    }
    const split = rig.stats.regimes('pump_speed')?.contexts[0];
    expect(split).toMatchObject({ kind: 'context', key: 'binary_sensor.pump', significant: true });
    const on = split?.segments.find((s) => s.state === 'on')?.rate.ratePerHour ?? 0;
    const off = split?.segments.find((s) => s.state === 'off')?.rate.ratePerHour ?? 0;
    expect(Math.abs(on / 120 - 1)).toBeLessThan(0.15);
    expect(off).toBeLessThan(6);
    expect(rig.stats.currentRegime('pump_speed')?.label).toBe(`binary_sensor.pump=${state}`);
  });
});

describe('a context state an entity was hardly ever polled in', () => {
  it('makes its rate unknown on the first entries only: a few polls there and the entity\'s own evidence speaks', async () => {
    const rig = synthRig([{ id: 'setpoint', intervalMs: 300 * S, ratePerHour: always(0) }], { contextEntities: ['binary_sensor.pump'] });
    await rig.run(6 * HOUR); // constant while the pump was off
    const at = () => rig.clock.now();
    const shifts: boolean[] = [];
    for (let k = 0; k < 6; k++) {
      rig.events.emit('contextChanged', { entityId: 'binary_sensor.pump', state: 'on', previous: 'off', at: at() });
      shifts.push(rig.stats.shift('setpoint') !== undefined);
      await rig.run(15 * 60 * S); // three polls at 300 s while on
      rig.events.emit('contextChanged', { entityId: 'binary_sensor.pump', state: 'off', previous: 'on', at: at() });
      await rig.run(45 * 60 * S);
    }
    expect(shifts.slice(0, 2)).toEqual([true, true]); // its first starts: never polled while on
    expect(shifts.slice(-2)).toEqual([false, false]); // eight and more polls while on: seen
  });
});

describe('context states', () => {
  it('give each state a bucket in order of sight, and later states share the last one', () => {
    const ctx = new ContextStates(['select.mode', 'sun.sun'], 2, 24);
    for (const state of ['eco', 'boost', 'away']) ctx.set('select.mode', state);
    expect(ctx.layouts()[0]).toEqual({ entityId: 'select.mode', offset: 24, states: ['eco', 'boost|other'] });
    expect(['eco', 'boost', 'away'].map((s) => ctx.bucketFor('select.mode', s))).toEqual([24, 25, 25]);
    const out: number[] = [];
    ctx.currentBuckets(out);
    expect(out).toEqual([25]); // sun.sun not known yet: no bucket
    expect(ctx.bucketCount).toBe(4);
  });
});

describe('co-change clusters', () => {
  it('groups entities that change at the same instants and leaves fast and slow independent ones out', async () => {
    const entities: SynthEntity[] = [
      { id: 'compressor', intervalMs: 10 * S, ratePerHour: always(6), value: (n) => n % 2 },
      { id: 'power', intervalMs: 10 * S, follows: 'compressor', value: (n) => (n % 2) * 1500 },
      { id: 'flow', intervalMs: 10 * S, follows: 'compressor', value: (n) => 300 + (n % 2) * 150 },
      { id: 'grid', intervalMs: 10 * S, ratePerHour: always(1000) },
      { id: 'voltage', intervalMs: 10 * S, ratePerHour: always(200) },
      { id: 'outdoor', intervalMs: 10 * S, ratePerHour: always(6) },
    ];
    const rig = synthRig(entities);
    await rig.run(3 * 24 * HOUR);
    const clusters = rig.stats.clusters();
    expect(clusters.map((c) => c.members)).toEqual([['compressor', 'power', 'flow']]);
    expect(clusters[0]?.score).toBeGreaterThan(0.8);
    expect(rig.stats.clusters({ maxSize: 2 }).map((c) => c.members)).toHaveLength(1);
    expect(rig.stats.clusters({ minSize: 4 })).toEqual([]);
  });

  it('keeps the candidate pairs bounded (linear in entities) with many entities changing together', async () => {
    const entities: SynthEntity[] = Array.from({ length: 300 }, (_, i) => ({ id: `e${i}`, intervalMs: 5 * S, ratePerHour: always(600) }));
    const rig = synthRig(entities, { maxPartners: 8 });
    await rig.run(HOUR / 2);
    expect(rig.stats.pairCount()).toBeLessThanOrEqual((300 * 8) / 2);
    expect(rig.stats.clusters()).toEqual([]);
  });
});

describe('predictions', () => {
  it('predicts changes per window and measures its own accuracy over closed windows', async () => {
    const rig = synthRig([
      { id: 'fast', intervalMs: 5 * S, ratePerHour: always(300) },
      { id: 'slow', intervalMs: 30 * S, ratePerHour: always(20), value: (n) => Math.round(100 * Math.cos(n)) },
    ]);
    expect(rig.stats.predictionAccuracy()).toEqual({ accuracy: undefined, calibration: undefined, windows: 0, scored: 0 });
    await rig.run(12 * HOUR);
    const fast = rig.stats.predictions().find((p) => p.entityId === 'fast');
    expect(fast?.expectedChanges).toBeGreaterThan(250);
    expect(fast?.expectedChanges).toBeLessThan(350);
    expect(fast?.pAnyChange).toBeCloseTo(1, 6);
    const acc = rig.stats.predictionAccuracy();
    expect(acc.windows).toBeGreaterThanOrEqual(10);
    expect(acc.accuracy).toBeGreaterThan(0.85);
    expect(Math.abs((acc.calibration ?? 0) - 1)).toBeLessThan(0.1);
  });
});
