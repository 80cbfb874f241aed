/**
 * Loop health per optimizer row and the targets of issue 11 (the loop's targets from issue 15), each
 * as median and min–max over seeds with met or not. A target is met only when its median meets it;
 * the range is shown so a split verdict is visible. Nothing here is tuned: a miss is printed as one.
 */
import type { SiteName } from '../src/sim/sites.js';
import type { SiteSweep } from './freshness.js';
import {
  busAtStaleness, DISPLAY, overSeeds, pct, ratio, referenceOf, seedsOf, stalenessAtBus,
} from './freshnessTables.js';
import { stalenessBoundAt } from './exactBound.js';
import type { LoopHealth } from './loopHealth.js';
import { formatSpread, spread, type Spread } from './seedStats.js';
import { LEARNING_POLICY_NAMES, type SweepOutcome } from './sweepJobs.js';

const BUS_SHARE_TARGET: Record<SiteName, number> = { 'solar-home': 0.12, industrial: 0.08 };
const num = (d: number) => (x: number) => x.toFixed(d);

function optimizerRows(sweep: SiteSweep): Array<{ policy: string; value: number; label: string }> {
  const rows = new Map<string, { policy: string; value: number; label: string }>();
  for (const o of sweep.outcomes) {
    if (LEARNING_POLICY_NAMES.includes(o.job.policy)) rows.set(`${o.job.policy}|${o.setting.value}`, { policy: o.job.policy, value: o.setting.value, label: o.setting.label });
  }
  return [...rows.values()];
}

const rowOf = (outcomes: readonly SweepOutcome[], r: { policy: string; value: number }) =>
  outcomes.find((o) => o.job.policy === r.policy && o.setting.value === r.value);

function loopSpread(sweep: SiteSweep, r: { policy: string; value: number }, f: (h: LoopHealth) => number | undefined): Spread | undefined {
  return spread(sweep.outcomes.filter((o) => o.job.policy === r.policy && o.setting.value === r.value).map((o) => (o.loop ? f(o.loop) : undefined)));
}

export function loopHealthTable(sweep: SiteSweep): string {
  const n = seedsOf(sweep).length;
  const rows = optimizerRows(sweep).map((r) => {
    const f = (g: (h: LoopHealth) => number | undefined, fmt: (x: number) => string) => formatSpread(loopSpread(sweep, r, g), fmt, n, '—');
    const strategies = [...new Set(sweep.outcomes.flatMap((o) => o.loop?.strategies.map((s) => s.name) ?? []))].map((name) => {
      const rate = loopSpread(sweep, r, (h) => h.strategies.find((s) => s.name === name)?.successRate);
      const evals = loopSpread(sweep, r, (h) => h.strategies.find((s) => s.name === name)?.evaluations);
      return `${name} ${formatSpread(rate, num(2), n, '—')} over ${formatSpread(evals, num(0), n, '—')}`;
    }).join('; ');
    return `| ${DISPLAY[r.policy] ?? r.policy}, ${r.label} | ${f((h) => h.applied, num(0))} | ${f((h) => h.evaluated, num(0))} | ${f((h) => (h.evaluated ? h.kept / h.evaluated : undefined), pct)} | `
      + `${f((h) => h.rolledBack, num(0))} | ${f((h) => h.reproposed, num(0))} | ${f((h) => h.repeatsBlocked, num(0))} | ${f((h) => h.flipsPerEntityDay, num(2))} | ${strategies} | `
      + `${f((h) => h.clusters.precision, num(2))} | ${f((h) => h.clusters.recall, num(2))} | ${f((h) => h.convergeHours, num(0))} |`;
  });
  return [
    'Loop health per optimizer run, from its own records (history, memory counters, the strategy figures get_statistics shows) over the steady part (the second half of the learning and the window); median (min–max) over seeds:',
    '',
    '| run | records applied | evaluated | kept (share of evaluated) | rolled back | moves re-proposed after a rollback | repeats blocked by memory | interval flips per entity per day | success rate per strategy over evaluations | cluster precision | cluster recall | hours to converge (bus time within 10 % of the final hours\') |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|',
    ...rows,
    '',
    'Cluster precision / recall are pairwise against the simulator\'s true co-change groups (— when the run adopted no cluster or the site has no group). "Hours to converge" counts from the fresh start; — when hourly bus time never settled within 10 % of the mean of its last three hours, or fewer than six hours were recorded (too short to tell).',
  ].join('\n');
}

interface Target {
  what: string;
  goal: string;
  value: Spread | undefined;
  fmt: (x: number) => string;
  met: (median: number) => boolean;
  note?: string;
}

function targetRow(t: Target, n: number): string {
  const verdict = t.value ? (t.met(t.value.median) ? 'met' : '**not met**') : 'not measured';
  return `| ${t.what} | ${t.goal} | ${formatSpread(t.value, t.fmt, n, t.note ?? 'not measured')} | ${verdict} |`;
}

export function siteTargets(sweep: SiteSweep): Target[] {
  const shipped = { policy: 'optimizer', value: 0 };
  const refOf = (o: SweepOutcome[]) => referenceOf(o)?.figures;
  const share = BUS_SHARE_TARGET[sweep.site];
  const targets: Target[] = [
    {
      what: 'shipped default: bus time ÷ HA-default\'s (15 s)', goal: `≤ ${pct(share)} at HA-default's staleness`, fmt: pct, met: (m) => m <= share,
      value: overSeeds(sweep, (o) => { const r = refOf(o); const x = rowOf(o, shipped)?.figures; return r && x ? x.busUtilisation / r.busUtilisation : undefined; }),
    },
    {
      what: 'shipped default: mean staleness ÷ HA-default\'s', goal: '≤ 1.00 (the save_bus promise)', fmt: num(2), met: (m) => m <= 1,
      value: overSeeds(sweep, (o) => { const r = refOf(o); const x = rowOf(o, shipped)?.figures; return r && x ? x.meanStalenessMs / r.meanStalenessMs : undefined; }),
    },
    {
      what: 'goal freshest, interpolated at HA-default\'s staleness: bus time ÷ HA-default\'s', goal: `≤ ${pct(share)}`, fmt: pct, met: (m) => m <= share,
      value: overSeeds(sweep, (o) => { const r = refOf(o); const b = r && busAtStaleness(o, 'optimizer-freshest', r.meanStalenessMs); return r && b !== undefined ? b / r.busUtilisation : undefined; }),
      note: 'outside the freshest sweep',
    },
    {
      what: 'Telegraf max_insert\'s bus time ÷ the shipped default\'s, at the shipped default\'s staleness', goal: '≥ 2×', fmt: ratio, met: (m) => m >= 2,
      value: overSeeds(sweep, (o) => { const x = rowOf(o, shipped)?.figures; const t = x && busAtStaleness(o, 'telegraf', x.meanStalenessMs); return x && t !== undefined ? t / x.busUtilisation : undefined; }),
      note: 'outside the Telegraf sweep',
    },
    ...optimizerRows(sweep).map((r): Target => ({
      what: `${DISPLAY[r.policy] ?? r.policy}, ${r.label}: mean staleness ÷ the static-rate allocator's at the same bus time`, goal: '≤ 1.00', fmt: ratio, met: (m) => m <= 1,
      value: overSeeds(sweep, (o) => { const x = rowOf(o, r)?.figures; const a = x && stalenessAtBus(o, 'static-rate', x.busUtilisation); return x && a !== undefined ? x.meanStalenessMs / a : undefined; }),
      note: 'outside the allocator\'s sweep',
    })),
    ...optimizerRows(sweep).map((r): Target => ({
      what: `${DISPLAY[r.policy] ?? r.policy}, ${r.label}: mean staleness ÷ the exact bound at its bus time`, goal: '≤ 1.3×', fmt: ratio, met: (m) => m <= 1.3,
      value: overSeeds(sweep, (o) => {
        const x = rowOf(o, r)?.figures;
        const bound = referenceOf(o)?.bound;
        const b = x && bound && stalenessBoundAt(bound.curve, x.busUtilisation);
        return x && b ? x.meanStalenessMs / b : undefined;
      }),
      note: 'bound is zero there',
    })),
    { what: 'shipped default: evaluated changes kept', goal: '≥ 90 %', fmt: pct, met: (m) => m >= 0.9, value: loopSpread(sweep, shipped, (h) => (h.evaluated ? h.kept / h.evaluated : undefined)), note: 'no change evaluated in the steady part' },
    { what: 'shipped default: moves re-proposed after a rollback', goal: '0', fmt: num(0), met: (m) => m === 0, value: loopSpread(sweep, shipped, (h) => h.reproposed) },
    { what: 'shipped default: interval flips per entity per day', goal: '≤ 1', fmt: num(2), met: (m) => m <= 1, value: loopSpread(sweep, shipped, (h) => h.flipsPerEntityDay) },
    { what: 'shipped default: cluster precision', goal: '≥ 0.90', fmt: num(2), met: (m) => m >= 0.9, value: loopSpread(sweep, shipped, (h) => h.clusters.precision), note: 'no cluster adopted' },
    { what: 'shipped default: cluster recall', goal: '≥ 0.90', fmt: num(2), met: (m) => m >= 0.9, value: loopSpread(sweep, shipped, (h) => h.clusters.recall), note: 'no true group on this site' },
    { what: 'shipped default: co-change detection precision (clusters found, adopted or not)', goal: '≥ 0.90', fmt: num(2), met: (m) => m >= 0.9, value: loopSpread(sweep, shipped, (h) => h.detected.precision), note: 'no cluster found' },
    { what: 'shipped default: co-change detection recall (clusters found, adopted or not)', goal: '≥ 0.90', fmt: num(2), met: (m) => m >= 0.9, value: loopSpread(sweep, shipped, (h) => h.detected.recall), note: 'no true group on this site' },
    { what: 'shipped default: hours from a fresh start to within 10 % of the final bus time', goal: '≤ 2 h', fmt: num(0), met: (m) => m <= 2, value: loopSpread(sweep, shipped, (h) => h.convergeHours), note: 'never settled, or under 6 h recorded' },
    { what: 'shipped default: hours from a fresh start until each hour\'s bus time is within 10 % of the same hour a day later', goal: '≤ 2 h', fmt: num(0), met: (m) => m <= 2, value: loopSpread(sweep, shipped, (h) => h.convergeSameHour), note: 'never settled, or under two days recorded' },
  ];
  return targets;
}

export function targetsTable(sweep: SiteSweep): string {
  const n = seedsOf(sweep).length;
  return [
    `Targets of issue 11 on ${sweep.site} (median (min–max) over ${n} seed${n === 1 ? '' : 's'}; met when the median meets it):`,
    '',
    '| target | goal | measured | verdict |',
    '|---|---|---:|---|',
    ...siteTargets(sweep).map((t) => targetRow(t, n)),
  ].join('\n');
}

