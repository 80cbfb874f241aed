/**
 * The static-rate allocator (the "oracle" before issue 11 — it is not a bound): every entity's true
 * change rate in the current regime (sun up or down, machine running or not). At the start and at
 * every context change it gives each bus its budget of bus time and allocates Lagrange-optimal
 * intervals (DESIGN.md). Each entity's cost is its share of the block the cost-model planner would
 * read it in, and intervals are snapped to a power-of-two ladder of seconds so entities stay due
 * together and the same planner can merge them. It shares the optimizer's ladder and amortised-cost
 * approximation and has no triggered reads, so it can overspend its budget (the bench reports the
 * bus time it really used) and a learning policy can beat it.
 */
import { expectedAgeMs, allocateIntervals, type AllocationItem } from '../../metrics/ageModel.js';
import { amortizedCosts, NO_HOLES } from '../../modbus/readPlan.js';
import { busKeyOf, type ConnectionDef } from '../../modbus/types.js';
import { snapToLadder } from '../../optimizer/intervalLadder.js';
import type { SimSite } from '../groundTruth.js';
import { HOUR_MS } from '../rates.js';
import type { Policy, PolicyContext, PolicyEnv } from '../policy.js';

const BUDGETS = [0.2, 0.1, 0.05, 0.02, 0.01];

function itemsByBus(ctx: PolicyContext, site: SimSite, t: number, costs: ReadonlyMap<string, number>): Map<string, AllocationItem[]> {
  const conns = new Map<string, ConnectionDef>(ctx.connections.map((c) => [c.name, c]));
  const byBus = new Map<string, AllocationItem[]>();
  for (const def of ctx.entities) {
    const conn = conns.get(def.connection);
    if (!conn) continue;
    const key = busKeyOf(conn);
    const list = byBus.get(key) ?? [];
    list.push({
      key: def.id, ratePerMs: site.rateAt(def.id, t) / HOUR_MS, costMs: costs.get(def.id) ?? 0, minMs: def.minIntervalMs, maxMs: def.maxIntervalMs,
    });
    byBus.set(key, list);
  }
  return byBus;
}

/** Optimal intervals for every entity at time t, each bus within `budget` of its time. */
export function oracleIntervals(ctx: PolicyContext, budget: number, t: number, costs = amortizedCosts(ctx, NO_HOLES)): Map<string, number> {
  const out = new Map<string, number>();
  for (const items of itemsByBus(ctx, ctx.site, t, costs).values()) {
    const bounds = new Map(items.map((it) => [it.key, it]));
    for (const [key, ms] of allocateIntervals(items, budget).intervalsMs) {
      const it = bounds.get(key);
      out.set(key, it ? snapToLadder(ms, it.minMs, it.maxMs) : ms);
    }
  }
  return out;
}

/** Expected mean age of the oracle's allocation at t (for reports: the model's own prediction). */
export function oracleExpectedAgeMs(ctx: PolicyContext, budget: number, t: number): number {
  const intervals = oracleIntervals(ctx, budget, t);
  const ages = ctx.entities.map((d) => expectedAgeMs(intervals.get(d.id) ?? d.maxIntervalMs, ctx.site.rateAt(d.id, t) / HOUR_MS));
  return ages.reduce((a, b) => a + b, 0) / Math.max(1, ages.length);
}

export const oracle: Policy = {
  name: 'static-rate',
  description: 'known true rates per regime, Lagrange-optimal intervals per bus-time budget, cost-model planner',
  knob: 'bus budget',
  settings: BUDGETS.map((b) => ({ label: `${b * 100}%`, value: b })),
  prepare(setting, ctx) {
    const costs = amortizedCosts(ctx, NO_HOLES); // the definitions' plan, the same costs the optimizer's targets use
    const initial = oracleIntervals(ctx, setting.value, ctx.startMs, costs);
    return {
      intervalMs: (def) => initial.get(def.id) ?? def.scanIntervalMs,
      attach(env: PolicyEnv) {
        env.contextFeed.onChange(() => {
          for (const [id, ms] of oracleIntervals(env, setting.value, env.clock.now(), costs)) env.app.poller.setIntervalMs(id, ms);
        });
      },
    };
  },
};
