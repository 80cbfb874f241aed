import { beforeAll, describe, expect, it } from '@jest/globals';
import { ABOVE_HORIZON, BELOW_HORIZON, SUN_ENTITY } from '../../src/sim/rates.js';
import { inWorker } from '../helpers/inWorker.js';
import type { EntityReport, SiteWeekReport } from '../helpers/simJobs.js';
import { quantile } from '../helpers/statsSite.js';

/**
 * One simulated week of the solar-home site (inverter, meter, heat pump on one 9,600-baud bus),
 * polled by the real poller every 15 s, with stats listening to its samples and to the simulated HA
 * context feed — then every claim checked against the site's ground truth. The week runs in a worker
 * thread (test/helpers/inWorker.ts), outside Jest's slower VM context.
 */
const WEEK = 7 * 86_400_000;
const SCAN_S = 15;

let week: SiteWeekReport;
let byId: Map<string, EntityReport>;
beforeAll(async () => {
  week = await inWorker<SiteWeekReport>(new URL('../helpers/simJobs.ts', import.meta.url), 'solarHomeStats', 7, SCAN_S, WEEK);
  byId = new Map(week.entities.map((e) => [e.id, e]));
}, 600_000);

const entity = (id: string): EntityReport => {
  const e = byId.get(id);
  if (!e) throw new Error(`no report for ${id}`);
  return e;
};

describe('stats on the solar-home site after one simulated week', () => {
  it('finds the day/night split of the PV values, by time of day and by sun.sun', () => {
    const pv = week.entities.map((e) => e.id).filter((id) => entity(id).truth.regimes.by === SUN_ENTITY && /pv\d?_(power|current|voltage)$/.test(id));
    expect(pv.length).toBeGreaterThanOrEqual(5);
    for (const id of pv) {
      const r = entity(id).regimes;
      expect(r?.timeOfDay?.significant).toBe(true);
      expect(r?.timeOfDay?.segments.map((s) => s.label).sort()).toEqual(['06:00–18:00', '18:00–06:00']);
      const day = r?.timeOfDay?.segments.find((s) => s.label === '06:00–18:00');
      const night = r?.timeOfDay?.segments.find((s) => s.label === '18:00–06:00');
      expect(night?.rate.ratePerHour).toBeLessThan(1);
      expect(day?.rate.ratePerHour).toBeGreaterThan(100);
      const sun = r?.contexts.find((c) => c.key === SUN_ENTITY);
      expect(sun?.significant).toBe(true);
      const above = sun?.segments.find((s) => s.state === ABOVE_HORIZON)?.rate.ratePerHour ?? 0;
      const below = sun?.segments.find((s) => s.state === BELOW_HORIZON)?.rate.ratePerHour ?? Infinity;
      expect(above).toBeGreaterThan(100 * Math.max(below, 0.01));
    }
  });

  it('finds the heat pump co-change group with no unrelated member', () => {
    const groups = week.trueGroups;
    expect(groups).toHaveLength(1);
    const group = [...(groups[0] ?? [])].sort();
    const clusters = week.clusters;
    const found = clusters.find((c) => c.members.includes(group[0] ?? ''));
    expect([...(found?.members ?? [])].sort()).toEqual(group);
    const others = clusters.filter((c) => c !== found);
    expect(others.flatMap((c) => c.members).filter((m) => group.includes(m))).toEqual([]);
  });

  it('recognises every constant register as constant, and calls nothing constant that changed', () => {
    for (const { id, kind, truth } of week.entities) {
      if (truth.regimes.by === undefined && Object.values(truth.regimes.perHour).every((r) => r === 0)) {
        expect([id, kind]).toEqual([id, 'constant']);
      }
      if (kind === 'constant') expect([id, truth.changes]).toEqual([id, 0]);
    }
  });

  it('estimates per-regime rates within the accuracy targets where the interval allows', () => {
    const rows: Array<{ id: string; regime: string; truth: number; est: number; saturated: boolean }> = [];
    for (const { id, truth, rate, regimes: learned } of week.entities) {
      const regimes = truth.regimes;
      if (regimes.by === undefined) {
        const est = rate;
        if (est) rows.push({ id, regime: 'always', truth: regimes.perHour.always ?? 0, est: est.ratePerHour, saturated: est.saturated });
        continue;
      }
      const split = learned?.contexts.find((c) => c.key === regimes.by);
      for (const [state, perHour] of Object.entries(regimes.perHour)) {
        const seg = split?.segments.find((s) => s.state === state);
        if (seg) rows.push({ id, regime: state, truth: perHour, est: seg.rate.ratePerHour, saturated: seg.rate.saturated });
      }
    }
    const inRange = rows.filter((r) => {
      const lambdaT = (r.truth * SCAN_S) / 3600;
      return lambdaT >= 0.1 && lambdaT <= 2;
    });
    const errors = inRange.filter((r) => !r.saturated).map((r) => Math.abs(r.est - r.truth) / r.truth);
    expect(errors.length).toBeGreaterThanOrEqual(inRange.length * 0.8);
    expect(quantile(errors, 0.5)).toBeLessThanOrEqual(0.1);
    expect(quantile(errors, 0.9)).toBeLessThanOrEqual(0.25);
    // Faster than the interval can tell: saturated, or still right.
    for (const r of rows.filter((x) => (x.truth * SCAN_S) / 3600 > 4)) {
      expect([r.id, r.regime, r.saturated || Math.abs(r.est - r.truth) / r.truth < 0.25]).toEqual([r.id, r.regime, true]);
    }
  });
});
