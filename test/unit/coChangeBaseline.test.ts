import { describe, expect, it } from '@jest/globals';
import { hashSeed } from '../../src/core/random.js';
import { matchedReads } from '../../src/stats/coChange.js';
import { PollRing } from '../../src/stats/pollRing.js';
import { HOUR, START, synthRig, type SynthEntity } from '../helpers/statsSamples.js';

/**
 * Co-change detection under the timing the optimizer gives the poller: intervals moved along the
 * 7.5/15/30 s ladder at different times for different entities, every cycle starting late by up to
 * 0.6 s on a busy bus, later blocks of a cycle read tens of milliseconds after the first. Measured
 * on solar-home (48 simulated hours of the shipped optimizer) independent fast walks were clustered
 * there, e.g. [meter_voltage_l2_l3, meter_neutral_current], both at 15 s the whole time: a partner
 * read in a later block of the same cycle always falls just inside the window opened by e's own
 * previous read, so the coincidence window sees one more partner read than the baseline window,
 * whose edges fall at random phases of the jittered cycles.
 */
const S = 1000;
const MINUTE = 60 * S;
const STRATEGY = { threshold: 0.6, minSize: 2, maxSize: 20 };
const always = (perHour: number) => () => perHour;

/** Steps through `seconds` (one rung per `periodMin`), as local steps and cycles move an interval. */
const ladder = (periodMin: number, seconds: number[]) => (t: number) =>
  (seconds[Math.floor((t - START) / (periodMin * MINUTE)) % seconds.length] ?? 15) * S;

/** Independent fast walks (the inverter's and the meter's rates), some in one block, some in later ones. */
const independent: SynthEntity[] = [
  { id: 'battery_power', intervalMs: 15 * S, ratePerHour: always(720), intervalAt: ladder(37, [15, 7.5, 15, 30]) },
  { id: 'battery_current', intervalMs: 15 * S, ratePerHour: always(720), intervalAt: ladder(29, [7.5, 7.5, 15]) },
  { id: 'grid_current_l3', intervalMs: 15 * S, ratePerHour: always(720), offsetMs: 40, intervalAt: ladder(23, [7.5, 15, 7.5, 15]) },
  { id: 'reactive_power', intervalMs: 15 * S, ratePerHour: always(360), offsetMs: 80, intervalAt: ladder(41, [15, 15, 7.5, 30]) },
  { id: 'voltage_l2_l3', intervalMs: 15 * S, ratePerHour: always(360), offsetMs: 120 },
  { id: 'neutral_current', intervalMs: 15 * S, ratePerHour: always(360), offsetMs: 160 },
];

/** A truly co-changing group: a compressor and what follows it, read in three blocks at different intervals. */
const group: SynthEntity[] = [
  { id: 'compressor', intervalMs: 15 * S, ratePerHour: always(30), value: (n) => n % 2, intervalAt: ladder(31, [15, 30, 15, 7.5]) },
  { id: 'compressor_power', intervalMs: 15 * S, follows: 'compressor', value: (n) => (n % 2) * 1500, offsetMs: 40 },
  { id: 'flow_temperature', intervalMs: 15 * S, follows: 'compressor', value: (n) => 300 + (n % 2) * 150, offsetMs: 80, intervalAt: ladder(43, [30, 15]) },
];

/** Each cycle late by 0 … 600 ms, the same for every entity due then (seeded by the due time). */
const busyBus = (seed: number) => ({ cycleDelayMs: (due: number) => (hashSeed(String(due), seed) / 2 ** 32) * 600 });

describe('co-change under the optimizer\'s poll timing', () => {
  it.each([1, 2, 3, 4])('clusters no independent fast values, and still finds the true group (seed %i)', async (seed) => {
    const rig = synthRig([...independent, ...group], {}, seed, busyBus(seed));
    await rig.run(24 * HOUR);
    const clusters = rig.stats.clusters(STRATEGY);
    expect(clusters.map((c) => [...c.members].sort())).toEqual([['compressor', 'compressor_power', 'flow_temperature']]);
    expect(clusters[0]?.minPairScore).toBeGreaterThan(0.8);
  }, 120_000);
});

describe('matched reads', () => {
  /** A partner read 40 ms after each cycle starts, cycles late by `delays[i]` ms; `changed` reads saw a change. */
  const partner = (delays: number[], changed: number[], intervalS = (_i: number) => 15) => {
    const ring = new PollRing(64);
    let due = START;
    delays.forEach((d, i) => {
      ring.push(due + d + 40, changed.includes(i));
      due += intervalS(i) * S;
    });
    return ring;
  };

  it('leaves out the partner read just after e\'s previous read, and compares as many reads earlier', () => {
    // e read at each cycle start: its previous read in cycle 9 (500 ms late), this one in cycle 10: W = 14.5 s.
    const ring = partner([0, 300, 0, 300, 0, 300, 600, 0, 0, 500, 0], [6, 9]);
    const t = START + 10 * 15 * S;
    expect(matchedReads(ring, t - 14_500 + 1000, t + 1000, 3)).toEqual({ coincide: false, baseline: false }); // read 10 against read 7
    expect(matchedReads(ring, t - 14_500 + 1000, t + 1000, 4)).toEqual({ coincide: false, baseline: true }); // read 10 against read 6
  });

  it('does not score a window whose reads span other times than the baseline\'s, or that the ring cannot match', () => {
    const ring = partner(Array.from({ length: 12 }, () => 0), [9, 11], (i) => (i < 8 ? 15 : 7.5));
    const t = START + 8 * 15 * S + 3 * 7.5 * S;
    expect(matchedReads(ring, t - 7500 + 1000, t + 1000, 3)).toBeUndefined(); // read 11 (7.5 s) against read 8 (15 s)
    expect(matchedReads(ring, t - 7500 + 1000, t + 1000, 2)).toEqual({ coincide: true, baseline: true }); // against read 9 (7.5 s)
    expect(matchedReads(ring, START + 15 * S - 6500, START + 16 * S, 3)).toBeUndefined(); // read 1: nothing 3 reads earlier
    expect(matchedReads(ring, t + 2000, t + 3000, 3)).toBeUndefined(); // no partner read in the window
  });
});
