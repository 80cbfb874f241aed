/**
 * What the freshness benchmark runs, full or `--quick`: seeds, the measured window per site, the
 * warm-ups (the optimizer's learning time: 48 h on solar-home, about 25 s of CPU per run; 12 h on
 * industrial — from 17:30, so one full cycle (00:00) and a sunset and sunrise fall in it — whose 989
 * entities cost far more per simulated hour: 24 h took the full bench to 1,226 s, past its 20 minutes
 * on two cores; shortened from the days a user's install would have, and the tables say so), and the sweep points per policy. Fewer, shorter points rather than more: seeds before resolution.
 * The strategy ablations run on solar-home only: two more industrial runs per seed would take the
 * full bench past 20 minutes.
 */
import { shippedOptimizer, withoutName } from '../src/sim/optimizerPolicy.js';
import { DEFAULT_START_MS } from '../src/sim/runner.js';
import type { SiteName } from '../src/sim/sites.js';
import type { PolicySetting } from '../src/sim/policy.js';

/** The operating point every ratio is taken at: Home Assistant's own integration at its 15 s default. */
export const REFERENCE = { policy: 'ha-default', value: 15 };

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface SitePlan {
  /** Measured window (both hold the 06:00 sunrise, the regime change the optimizer must follow). */
  startMs: number;
  durationMs: number;
  /** Warm-up of the fixed and known-rate policies: steady polling before the window. */
  baselineWarmupMs: number;
  /** Learning time of the optimizer before the window, from a fresh start at the site's scan intervals. */
  learningMs: number;
  /** Sweep points per policy name; a policy absent here does not run on this site. */
  points: Record<string, readonly PolicySetting[]>;
}

export interface BenchPlan {
  quick: boolean;
  seeds: number[];
  sites: Record<SiteName, SitePlan>;
}

const s = (values: number[]) => values.map((v) => ({ label: `${v} s`, value: v }));
const pct = (values: number[]) => values.map((v) => ({ label: `${v * 100}%`, value: v }));
const freshest = (values: number[]) => values.map((v) => ({ label: `freshest, ${v * 100}% budget`, value: v }));
const tiers = (values: number[]) => values.map((m) => ({ label: `×${m} (${5 * m}/${15 * m}/${60 * m} s)`, value: m }));
const SHIPPED = [{ label: 'shipped default (save_bus)', value: 0 }];

function points(quick: boolean): Record<string, readonly PolicySetting[]> {
  return {
    'ha-default': s([15]),
    telegraf: s(quick ? [5, 30] : [5, 15, 30]), // two points so "at HA-default's staleness" can be interpolated
    'solax-tiers': tiers([1]),
    'static-rate': pct(quick ? [0.05, 0.02] : [0.1, 0.05, 0.02]),
    optimizer: SHIPPED,
    'optimizer-freshest': freshest([0.05]),
  };
}

/** The strategies the bench switches off one at a time (their gain: the shipped run against the run without). */
export const ABLATED = ['pattern', 'cluster'] as const;

/** Each of them switched off in turn, shipped defaults otherwise (solar-home only: see above). */
const ABLATIONS: Record<string, readonly PolicySetting[]> = Object.fromEntries(ABLATED.map((s) => [withoutName(s), shippedOptimizer(0, s).settings]));

export function benchPlan(quick: boolean, seedCount: number): BenchPlan {
  const pts = points(quick);
  return {
    quick,
    seeds: Array.from({ length: seedCount }, (_, i) => i + 1),
    sites: {
      // two simulated days of learning: the window holds sunrise, and a day/night pattern needs a day to be seen
      'solar-home': {
        startMs: DEFAULT_START_MS + (quick ? 5.5 : 5) * HOUR_MS, durationMs: (quick ? 1 : 2) * HOUR_MS,
        baselineWarmupMs: 10 * MINUTE_MS, learningMs: 48 * HOUR_MS, points: { ...pts, ...ABLATIONS },
      },
      industrial: {
        startMs: DEFAULT_START_MS + 5.5 * HOUR_MS, durationMs: (quick ? 0.5 : 1) * HOUR_MS,
        baselineWarmupMs: 10 * MINUTE_MS, learningMs: 12 * HOUR_MS, points: pts,
      },
    },
  };
}

/** `--quick` and `--seeds N` from the command line (default: 1 seed quick, 5 full). */
export function planFromArgs(argv: readonly string[]): BenchPlan {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--seeds');
  const n = at >= 0 ? Number(argv[at + 1]) : quick ? 1 : 5;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--seeds ${argv[at + 1] ?? ''}: not a whole number ≥ 1`);
  return benchPlan(quick, n);
}

/** Every job of a site and seed shares this epoch: the earliest start any of its runs has. */
export function epochOf(plan: SitePlan): number {
  return plan.startMs - Math.max(plan.learningMs, plan.baselineWarmupMs);
}
