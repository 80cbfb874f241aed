/**
 * The state file's poll times (pollTimesCodec.ts): packed where that restores the very same numbers,
 * plain otherwise; older files load; a malformed field is refused by the tracker and dropped with one
 * warning by the persisted part, the rest of the row kept.
 */
import { describe, expect, it } from '@jest/globals';
import { decodePollTimes, encodePollTimes } from '../../src/stats/pollTimesCodec.js';
import { persistedStats } from '../../src/stats/statsState.js';
import { STATS_JSON_VERSION, type StatsJSON } from '../../src/stats/statsJson.js';
import { ChangeTracker } from '../../src/stats/tracking.js';

const T0 = Date.UTC(2026, 0, 5, 6);
const steady = Array.from({ length: 64 }, (_, i) => T0 + 15_000 * i);
/** Wall-clock polls: whole ms, a few ms of jitter (as the demo writes them). */
const jittered = steady.map((t, i) => t + ((i * 7919) % 13) - 6);
/** A simulated 9,600-baud bus: fractional times, multiples of 2^-12 ms (as the solar-home bench writes them). */
const fractional = [1767578520045.0625, 1767578535015.2708, 1767578550045.0625, 1767578564967.5, 1767578580045.0625];

function roundTrip(times: readonly number[]): { json: ReturnType<typeof encodePollTimes>; back: number[] } {
  const json = encodePollTimes(times);
  const decoded = decodePollTimes(JSON.parse(JSON.stringify(json)) as object);
  if (!('times' in decoded)) throw new Error(decoded.problem);
  return { json, back: decoded.times };
}

describe('poll times in the state file', () => {
  it.each([
    ['steady whole ms', steady],
    ['jittered whole ms', jittered],
    ['fractional (virtual bus)', fractional],
    ['a single poll', [T0 + 0.5]],
    ['none', []],
  ])('packs %s and restores them exactly', (_label, times) => {
    const { json, back } = roundTrip(times);
    expect(json.pollTimesPacked).toBeDefined();
    expect(json.pollTimes).toBeUndefined();
    expect(back).toEqual(times);
    expect(back.every((t, i) => Object.is(t, times[i]))).toBe(true);
  });

  it('counts fractional gaps in a power-of-two unit, so they are whole numbers', () => {
    const packed = encodePollTimes(fractional).pollTimesPacked ?? [];
    expect(packed[1]).toBe(12);
    expect(packed.slice(2).every(Number.isSafeInteger)).toBe(true);
    expect(encodePollTimes(steady).pollTimesPacked?.slice(1, 4)).toEqual([0, 15_000, 0]);
  });

  it('writes times it cannot pack exactly as the plain list', () => {
    const decimal = [0.1, 0.2, 0.30000000000000004, 0.4]; // gaps no power-of-two unit makes whole
    const { json, back } = roundTrip(decimal);
    expect(json).toEqual({ pollTimes: decimal });
    expect(back).toEqual(decimal);
  });

  it('takes under 40 % of the plain list for 64 polls 15 s apart (and for wall-clock jitter)', () => {
    const plain = JSON.stringify({ pollTimes: steady }).length;
    expect(JSON.stringify(encodePollTimes(steady)).length).toBeLessThan(0.4 * plain);
    expect(JSON.stringify(encodePollTimes(jittered)).length).toBeLessThan(0.4 * plain);
  });

  it('loads plain pollTimes from older files, and none from files before poll times were kept', () => {
    expect(decodePollTimes({ pollTimes: [...steady] })).toEqual({ times: steady });
    expect(decodePollTimes({})).toEqual({ times: [] });
  });

  it.each([
    [{ pollTimesPacked: 'x' }, /pollTimesPacked is not/],
    [{ pollTimesPacked: [T0] }, /pollTimesPacked is not/],
    [{ pollTimesPacked: [T0, 0, 1.5] }, /pollTimesPacked is not/],
    [{ pollTimesPacked: [T0, 99, 1] }, /pollTimesPacked is not/],
    [{ pollTimesPacked: [T0, 0, -5] }, /pollTimesPacked is not/], // not ascending
    [{ pollTimes: [T0, 'later'] }, /pollTimes is not a list of ascending times/],
    [{ pollTimes: [T0, T0 - 1] }, /pollTimes is not a list of ascending times/],
  ])('refuses the malformed %j with the field named', (field, message) => {
    const decoded = decodePollTimes(field);
    expect('problem' in decoded && decoded.problem).toMatch(message);
  });
});

function trackerWithPolls(times: readonly number[]): ChangeTracker {
  const t = new ChangeTracker(64, 8);
  times.forEach((at, i) => t.record({ value: Math.floor(i / 3), at, changed: i % 3 === 0 && i > 0, intervalMs: 15_000 }));
  return t;
}

describe('a tracker with packed poll times', () => {
  it('restores which polls changed (their times match the change times exactly)', () => {
    const times = Array.from({ length: 80 }, (_, i) => 1767578520045.0625 + 15_000.25 * i + (i % 4) / 4096);
    const original = trackerWithPolls(times);
    const json = original.toJSON();
    expect(json.pollTimesPacked).toBeDefined();
    const back = ChangeTracker.fromJSON(JSON.parse(JSON.stringify(json)) as typeof json, 64, 8);
    expect(JSON.stringify(back.toJSON())).toBe(JSON.stringify(json));
    for (let i = 1; i < 64; i++) expect(back.pollTimes.changedIn(i - 1, i)).toBe(original.pollTimes.changedIn(i - 1, i));
  });

  it('refuses malformed poll times with an error naming the field', () => {
    const json = { ...trackerWithPolls(steady).toJSON(), pollTimesPacked: [T0, 0, 0.5] };
    expect(() => ChangeTracker.fromJSON(json, 64, 8)).toThrow('tracker pollTimesPacked is not');
  });

  it('through the persisted part: drops only the malformed poll times, with one warning naming the row', () => {
    const good = trackerWithPolls(steady).toJSON();
    const bad = { ...good, pollTimesPacked: [T0, 0, 'soon'] };
    const saved = {
      version: STATS_JSON_VERSION, hourBuckets: 24, decay: {}, contexts: {}, coChange: {}, predictions: {},
      entities: [{ id: 'a', tracker: good, evidence: {} }, { id: 'b', tracker: bad, evidence: {} }],
    };
    const restored: StatsJSON[] = [];
    const warnings: string[] = [];
    const part = persistedStats({ toJSON: () => { throw new Error('not used'); }, restore: (j) => restored.push(j) }, ['a', 'b'], () => undefined);
    part.restore(saved, (w) => warnings.push(w));
    expect(warnings).toEqual(['stats.entities[1].tracker.pollTimesPacked is not [first time, unit exponent, whole gap steps …]: its poll times are dropped']);
    const [a, b] = restored[0]?.entities ?? [];
    expect(a?.tracker).toBe(good);
    expect(b?.tracker).toEqual((({ pollTimesPacked: _drop, ...rest }) => rest)(bad));
    expect(ChangeTracker.fromJSON(b?.tracker ?? good, 64, 8).pollTimes.size).toBe(0);
  });
});
