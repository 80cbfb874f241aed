import { describe, expect, it } from '@jest/globals';
import { EventBus } from '../../src/core/eventBus.js';
import type { ContextChange } from '../../src/core/context.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { Sample } from '../../src/modbus/pollerTypes.js';
import { ClusterController } from '../../src/optimizer/clusterController.js';
import { ClusterStrategy } from '../../src/optimizer/clusterStrategy.js';
import { applyInterval } from '../../src/optimizer/intervalChanges.js';
import { PatternController } from '../../src/optimizer/patternController.js';
import { PatternStrategy } from '../../src/optimizer/patternStrategy.js';
import type { Cluster, CurrentRegime, RegimeReport } from '../../src/stats/types.js';

import type { Strategy, StrategyContext } from '../../src/optimizer/strategy.js';

/** Proposes and applies everything (the loop would apply a random half first). */
async function run(strategy: Strategy, ctx: StrategyContext) {
  const proposal = await strategy.propose(ctx);
  return { ...proposal, changes: proposal.changes.filter((c) => strategy.apply(c)) };
}
const all = () => true;

function fakePoller() {
  const intervals = new Map<string, number>();
  const reads: string[] = [];
  let companions: (readonly string[])[] = [];
  return {
    intervals, reads, companions: () => companions,
    intervalMs: (id: string) => intervals.get(id) ?? 15_000,
    setIntervalMs: (id: string, ms: number) => { intervals.set(id, ms); return ms; },
    readNow: async (id: string) => { reads.push(id); return {} as Sample; },
    setCompanions: (g: readonly (readonly string[])[]) => { companions = [...g]; },
    entityStatus: () => undefined,
  };
}

const sample = (entityId: string, changed: boolean, reason: Sample['reason'] = 'schedule'): Sample =>
  ({ entityId, value: 1, raw: [1], at: 0, changed, sincePreviousMs: 1000, intervalMs: 1000, reason });

describe('cluster strategy and controller', () => {
  function rig(found: Cluster[]) {
    const poller = fakePoller();
    const events = new EventBus<{ sample: Sample }>();
    const controller = new ClusterController({ poller, events, logger: createMemoryLogger(), now: () => 0 });
    controller.start();
    const strategy = new ClusterStrategy({ stats: { clusters: () => found }, controller });
    const ctx: StrategyContext = { now: 0, by: 't', parameters: strategy.defaults, successRate: 0.5, eligible: all };
    return { poller, events, controller, strategy, ctx, found };
  }
  const hp: Cluster = { members: ['hp_power', 'hp_compressor', 'hp_flow'], score: 0.9, minPairScore: 0.8, coChanges: 40 };

  it('adopts found clusters: co-scheduled, and a scheduled change triggers reads of the other members', async () => {
    const r = rig([hp]);
    const proposal = await r.strategy.propose(r.ctx);
    expect(r.controller.list()).toEqual([]); // proposing applies nothing
    const result = await run(r.strategy, r.ctx);
    expect(result.changes).toEqual([{
      kind: 'cluster', target: 'cluster:hp_compressor+hp_flow+hp_power', before: null,
      after: { id: 'cluster:hp_compressor+hp_flow+hp_power', members: ['hp_compressor', 'hp_flow', 'hp_power'], score: 0.9 },
      entities: ['hp_compressor', 'hp_flow', 'hp_power'], evidence: { value: 0.9, lower: 0.8, upper: 1 },
    }]);
    expect(proposal.changes).toEqual(result.changes);
    expect(r.poller.companions()).toEqual([['hp_compressor', 'hp_flow', 'hp_power']]);
    r.events.emit('sample', sample('hp_power', true));
    expect(r.poller.reads.sort()).toEqual(['hp_compressor', 'hp_flow']);
    r.events.emit('sample', sample('hp_flow', true, 'trigger')); // triggered reads never cascade
    r.events.emit('sample', sample('hp_flow', false)); // no change, no trigger
    expect(r.poller.reads.length).toBe(2);
    expect(r.controller.coverage(6)).toBeCloseTo(0.5, 9);
  });

  it('proposes nothing for a cluster with a member in an open experiment', async () => {
    const r = rig([hp]);
    expect((await r.strategy.propose({ ...r.ctx, eligible: (id) => id !== 'hp_flow' })).changes).toEqual([]);
  });

  it('claims the members of the clusters it would adopt: free ones, not yet adopted', async () => {
    const r = rig([hp]);
    expect(r.strategy.claims(r.ctx).sort()).toEqual(['hp_compressor', 'hp_flow', 'hp_power']);
    expect(r.strategy.claims({ ...r.ctx, eligible: (id) => id !== 'hp_flow' })).toEqual([]);
    await run(r.strategy, r.ctx);
    expect(r.strategy.claims(r.ctx)).toEqual([]); // adopted already
  });

  it('drops clusters no longer found, and a rollback restores the previous set', async () => {
    const r = rig([hp]);
    await run(r.strategy, r.ctx);
    r.found.length = 0;
    const { changes } = await run(r.strategy, r.ctx);
    expect(r.controller.list()).toEqual([]);
    for (const c of [...changes].reverse()) expect(r.strategy.revert(c)).toBe(true);
    expect(r.controller.list().map((c) => c.members)).toEqual([['hp_compressor', 'hp_flow', 'hp_power']]);
  });
});

describe('pattern strategy and controller', () => {
  function report(entityId: string, kind: 'timeOfDay' | 'context', key: string, deltaBic: number, confidence: number): RegimeReport {
    const split = { kind, key, segments: [], deltaBic, significant: true, confidence };
    return { entityId, overall: undefined as never, hourly: [], timeOfDay: undefined, contexts: [], best: split };
  }
  function rig() {
    const clock = new VirtualClock(0);
    const poller = fakePoller();
    const events = new EventBus<{ contextChanged: ContextChange }>();
    const reports: Record<string, RegimeReport | undefined> = {
      pv_power: report('pv_power', 'timeOfDay', 'time_of_day', 400, 0.99),
      pv_current: report('pv_current', 'timeOfDay', 'time_of_day', 300, 0.99),
      hp_flow: report('hp_flow', 'context', 'climate.heat_pump', 50, 0.95),
      shaky: report('shaky', 'context', 'sun.sun', 30, 0.4),
      grid_voltage: undefined,
    };
    const labels: Record<string, string> = { pv_power: 'day', pv_current: 'day', hp_flow: 'off' };
    const regimeIntervals: Record<string, number> = { day: 5000, night: 300_000, off: 120_000, on: 10_000 };
    const audits: string[] = [];
    const controller = new PatternController({
      clock, events,
      stats: { currentRegime: (id) => ({ label: labels[id] ?? 'none', confidence: 0.9 }) as CurrentRegime },
      retarget: (ids) => ids.map((id) => applyInterval(poller, id, regimeIntervals[labels[id] ?? ''] ?? 15_000)).filter((c) => c !== undefined),
      audit: (what) => audits.push(what),
    });
    controller.start();
    const strategy = new PatternStrategy({
      stats: { entityIds: () => Object.keys(reports), regimes: (id) => reports[id], currentRegime: (id) => (reports[id] ? { kind: reports[id]?.best?.kind } : { kind: 'none' }) as CurrentRegime },
      controller, poller,
      targetsMs: (ids, follow) => new Map(ids.map((id) => [id, follow ? (regimeIntervals[labels[id] ?? ''] ?? 15_000) : 15_000])),
    });
    const ctx = (max = 8): StrategyContext => ({ now: 0, by: 't', parameters: { max_patterns: max, pattern_stability_threshold: 0.6 }, successRate: 0.5, eligible: all });
    return { clock, poller, events, controller, strategy, ctx, labels, audits, reports };
  }

  it('adopts stable significant splits (most evidence first, at most max_patterns) and moves intervals to the regime', async () => {
    const r = rig();
    const result = await run(r.strategy, r.ctx(1));
    expect(r.controller.list().map((p) => p.entityId).sort()).toEqual(['pv_current', 'pv_power']);
    expect(r.poller.intervals.get('pv_power')).toBe(5000);
    expect(result.changes.map((c) => [c.target, c.before, c.after])).toContainEqual(
      ['pv_power', { pattern: null, intervalMs: 15_000 }, { pattern: { entityId: 'pv_power', key: 'timeOfDay:time_of_day' }, intervalMs: 5000 }]);
    expect(result.changes.map((c) => c.evidence?.value)).toEqual([0.99, 0.99]);
    await run(r.strategy, r.ctx(8));
    expect(r.controller.list().map((p) => p.entityId).sort()).toEqual(['hp_flow', 'pv_current', 'pv_power']); // 'shaky' is below the stability threshold
  });

  it('moves an entity whose best split changed to the new one in one change, not a drop and a failing adopt', async () => {
    const r = rig();
    await run(r.strategy, r.ctx());
    r.reports.pv_power = report('pv_power', 'context', 'sun.sun', 500, 0.99);
    const { changes } = await run(r.strategy, r.ctx());
    expect(changes.filter((c) => c.target === 'pv_power').map((c) => [c.before, c.after])).toEqual([[
      { pattern: { entityId: 'pv_power', key: 'timeOfDay:time_of_day' }, intervalMs: 5000 },
      { pattern: { entityId: 'pv_power', key: 'context:sun.sun' }, intervalMs: 5000 },
    ]]);
    expect(r.controller.get('pv_power')?.key).toBe('context:sun.sun');
    expect(r.poller.intervals.get('pv_power')).toBe(5000); // still following its regime, never back at 15 s
  });

  it('follows regime switches from the clock and from context changes, with an audit record', async () => {
    const r = rig();
    await run(r.strategy, r.ctx());
    r.labels.pv_power = 'night';
    r.labels.pv_current = 'night';
    await r.clock.advance(60_000);
    expect(r.poller.intervals.get('pv_power')).toBe(300_000);
    expect(r.audits.at(-1)).toBe('pattern: regime switch for 2 entities, 2 intervals moved');
    r.labels.hp_flow = 'on';
    r.events.emit('contextChanged', { entityId: 'climate.heat_pump', state: 'heat', previous: 'off', at: 61_000 });
    expect(r.poller.intervals.get('hp_flow')).toBe(10_000);
    r.controller.stop();
    expect(r.clock.pendingCount).toBe(0);
  });

  it('rolls back adoption and the interval it set, also after a regime switch moved the interval', async () => {
    const r = rig();
    const { changes } = await run(r.strategy, r.ctx());
    r.labels.pv_power = 'night';
    await r.clock.advance(60_000);
    expect(r.poller.intervals.get('pv_power')).toBe(300_000);
    for (const c of [...changes].reverse()) expect(r.strategy.revert(c)).toBe(true);
    expect(r.controller.list()).toEqual([]);
    expect(r.poller.intervals.get('pv_power')).toBe(15_000);
  });
});
