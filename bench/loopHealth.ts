/**
 * Loop health of one optimizer run (issue 11 item 5), read from the optimizer's own records — its
 * history, memory counters and strategy statistics (the figures get_statistics shows) — plus what
 * the bench watches from outside: each entity's interval once a simulated minute (flips), the bus
 * time per simulated hour from a fresh start (convergence), and the adopted clusters against the
 * simulator's true co-change groups. The probe wraps a policy, so the runner needs no hook.
 */
import type { App } from '../src/app.js';
import type { OptimizationRecord } from '../src/optimizer/types.js';
import type { SimSite } from '../src/sim/groundTruth.js';
import type { Policy, PolicyEnv } from '../src/sim/policy.js';
import { clusterParamsOf } from '../src/optimizer/clusterStrategy.js';
import { optimizerStatistics } from '../src/telemetry/optimizerFigures.js';
import { clusterQuality, type ClusterQuality } from './clusterQuality.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export interface StrategyHealth {
  name: string;
  successRate: number;
  evaluations: number;
  adopted: number;
  rejected: number;
  inconclusive: number;
}

export interface LoopHealth {
  /** From when the "steady" figures count (the second half of the learning, then the window). */
  steadyFromMs: number;
  applied: number;
  evaluated: number;
  kept: number;
  rolledBack: number;
  /** Moves of a rolled-back record proposed again later (same target, same new value). */
  reproposed: number;
  /** Moves the loop's memory kept out (its own counter, whole run). */
  repeatsBlocked: number;
  flipsPerEntityDay: number;
  strategies: StrategyHealth[];
  /** The clusters the loop had adopted at the end. */
  clusters: ClusterQuality;
  /** What the co-change detection finds at the end with the cluster strategy's parameters (adopted or not). */
  detected: ClusterQuality;
  /** Hours from the fresh start until hourly bus time stays within 10 % of the final hours' mean; undefined if never. */
  convergeHours: number | undefined;
  /** Hours until each hour is within 10 % of the same hour a day later (sameHourConvergence). */
  convergeSameHour: number | undefined;
  hourlyBusMs: number[];
}

export interface Probe {
  policy: Policy;
  /** Available once the run has ended (the policy's detach ran). */
  result(): LoopHealth | undefined;
}

function moveKey(c: { kind: string; target: string; after: unknown }): string {
  return `${c.kind}|${c.target}|${JSON.stringify(c.after)}`;
}

/** Moves of rolled-back records that a later record proposed again. */
export function reproposals(records: readonly OptimizationRecord[]): number {
  const sorted = [...records].sort((a, b) => a.appliedAt - b.appliedAt);
  const lost = new Map<string, number>();
  let n = 0;
  for (const r of sorted) {
    for (const c of r.changes) if ((lost.get(moveKey(c)) ?? Infinity) < r.appliedAt) n++;
    if (r.rolledBack && r.evaluatedAt !== undefined) for (const c of r.changes) if (!lost.has(moveKey(c))) lost.set(moveKey(c), r.evaluatedAt);
  }
  return n;
}

/**
 * First hour from which every hour is within `tolerance` of the same hour one day later, for sites
 * whose bus time follows the day (the sun, a heat pump's rhythm), where "the final hours" are only
 * the hours of one time of day; undefined when under two days were recorded or it never settles.
 */
export function sameHourConvergence(hourly: readonly number[], tolerance = 0.1, dayHours = 24): number | undefined {
  if (hourly.length < 2 * dayHours) return undefined;
  const close = (k: number) => {
    const later = hourly[k + dayHours] as number;
    return Math.abs((hourly[k] as number) - later) <= tolerance * later;
  };
  let h = hourly.length - dayHours;
  while (h > 0 && close(h - 1)) h--;
  return h < hourly.length - dayHours ? h : undefined;
}

/**
 * First hour from which every later hour is within `tolerance` of the mean of the last `tail` hours;
 * undefined when it never settles or fewer than 2 × tail hours were recorded (too short to tell).
 */
export function convergenceHour(hourly: readonly number[], tolerance = 0.1, tail = 3): number | undefined {
  if (hourly.length < 2 * tail) return undefined;
  const final = hourly.slice(-tail).reduce((a, b) => a + b, 0) / tail;
  let h = hourly.length;
  while (h > 0 && Math.abs((hourly[h - 1] as number) - final) <= tolerance * final) h--;
  return h < hourly.length ? h : undefined;
}

/** Direction reversals of one entity's interval in a series of samples. */
function flipsOf(series: readonly number[]): number {
  let flips = 0;
  let last = 0;
  for (let i = 1; i < series.length; i++) {
    const d = Math.sign((series[i] as number) - (series[i - 1] as number));
    if (d === 0) continue;
    if (last !== 0 && d !== last) flips++;
    last = d;
  }
  return flips;
}

export function probeLoop(policy: Policy, warmupMs: number): Probe {
  let health: LoopHealth | undefined;
  const attach = (env: PolicyEnv): (() => void) => {
    const t0 = env.clock.now();
    const steadyFromMs = t0 + warmupMs / 2;
    const records = new Map<number, OptimizationRecord>();
    const intervals = new Map<string, number[]>(env.entities.map((d) => [d.id, []]));
    const hourlyBusMs: number[] = [];
    let lastBusy = busyMs(env.app);
    let minutes = 0;
    let timer = env.clock.setTimer(function tick() {
      minutes++;
      const now = env.clock.now();
      if (now >= steadyFromMs) for (const [id, list] of intervals) list.push(env.app.poller.intervalMs(id) ?? 0);
      if (minutes % 60 === 0) {
        const busy = busyMs(env.app);
        hourlyBusMs.push(busy - lastBusy);
        lastBusy = busy;
        for (const r of env.app.optimizer?.loop.state.history ?? []) records.set(r.id, r);
      }
      timer = env.clock.setTimer(tick, MINUTE_MS);
    }, MINUTE_MS);
    return () => {
      env.clock.clearTimer(timer);
      const now = env.clock.now();
      const svc = env.app.optimizer;
      for (const r of svc?.loop.state.history ?? []) records.set(r.id, r);
      const steady = [...records.values()].filter((r) => r.appliedAt >= steadyFromMs);
      const stats = svc && optimizerStatistics(svc, now, true, 0, 'save_bus');
      const flips = [...intervals.values()].reduce((s, list) => s + flipsOf(list), 0);
      const days = Math.max(1e-9, (now - steadyFromMs) / DAY_MS);
      health = {
        steadyFromMs,
        applied: steady.length,
        evaluated: steady.filter((r) => r.evaluatedAt !== undefined && r.score !== undefined).length,
        kept: steady.filter((r) => r.evaluatedAt !== undefined && r.score !== undefined && !r.rolledBack).length,
        rolledBack: steady.filter((r) => r.rolledBack).length,
        reproposed: reproposals([...records.values()]),
        repeatsBlocked: svc?.loop.state.health.repeatsBlocked ?? 0,
        flipsPerEntityDay: flips / Math.max(1, intervals.size) / days,
        strategies: (stats?.strategies ?? []).map((s) => ({
          name: s.name, successRate: s.success_rate, evaluations: s.evaluations, adopted: s.adopted, rejected: s.rejected, inconclusive: s.inconclusive,
        })),
        clusters: clustersAgainstTruth(env.site, env.entities.map((d) => d.id), svc?.clusters.list() ?? []),
        detected: clustersAgainstTruth(env.site, env.entities.map((d) => d.id), env.app.stats.clusters(clusterParams(svc))),
        convergeHours: convergenceHour(hourlyBusMs),
        convergeSameHour: sameHourConvergence(hourlyBusMs),
        hourlyBusMs,
      };
    };
  };
  return {
    policy: {
      ...policy,
      prepare(setting, ctx) {
        const run = policy.prepare(setting, ctx);
        return {
          ...run,
          attach(env) {
            const own = run.attach?.(env);
            const mine = attach(env);
            return () => {
              mine();
              if (own) own();
            };
          },
        };
      },
    },
    result: () => health,
  };
}

/** The cluster strategy's parameters in force (what its proposals search with). */
function clusterParams(svc: App['optimizer']) {
  const strategy = svc?.loop.strategy('cluster');
  return clusterParamsOf(strategy && svc ? svc.loop.learned(strategy).parameters : {});
}

function busyMs(app: App): number {
  return app.poller.busStatus().reduce((s, b) => s + b.busyMs, 0);
}

function clustersAgainstTruth(site: SimSite, ids: readonly string[], clusters: ReadonlyArray<{ members: readonly string[] }>): ClusterQuality {
  const group = new Map<string, string>();
  site.coChangeGroups().forEach((g, i) => {
    if (g.length > 1) for (const id of g) group.set(id, String(i));
  });
  return clusterQuality((id) => group.get(id), ids, clusters);
}
