import { describe, expect, it } from '@jest/globals';
import { createMemoryLogger } from '../../src/core/logger.js';
import { createClockScheduler } from '../../src/core/scheduler.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { PerformanceOptimizationLoop, type OptimizerOptions } from '../../src/optimizer/loop.js';
import { MetricsRecorder, type Snapshot } from '../../src/optimizer/metricsRecorder.js';
import { objectiveScore } from '../../src/optimizer/scoring.js';
import type { Strategy, StrategyContext } from '../../src/optimizer/strategy.js';
import type { Change, WindowMetrics } from '../../src/optimizer/types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A strategy that "sets" a knob in a shared world; the world's staleness depends on the knob. */
class KnobStrategy implements Strategy {
  readonly parameterSpecs = [{ name: 'step', min: 0, max: 10, description: 'how far to turn' }, { name: 'count', min: 1, max: 5, integer: true, description: 'x' }];
  readonly defaults = { step: 1, count: 1 };
  readonly impactLevel = 'medium' as const;
  seen: StrategyContext[] = [];
  fail: Error | undefined;
  constructor(readonly name: string, readonly priority: number, readonly cooldownMs: number, private readonly world: { knob: number }) {}
  async apply(ctx: StrategyContext) {
    this.seen.push(ctx);
    if (this.fail) throw this.fail;
    const before = this.world.knob;
    this.world.knob += ctx.parameters.step ?? 0;
    const change: Change = { kind: 'interval', target: 'knob', before, after: this.world.knob };
    return { changes: before === this.world.knob ? [] : [change], summary: `knob ${before} → ${this.world.knob}` };
  }
  evaluate(before: WindowMetrics, after: WindowMetrics) {
    return objectiveScore(before, after, { stalenessMs: 1000, budget: 0.5 });
  }
  revert(change: Change) {
    if (this.world.knob !== change.after) return false;
    this.world.knob = change.before as number;
    return true;
  }
}

const OPTIONS: OptimizerOptions = {
  enabled: true, quickEveryMs: 4 * HOUR, fullEveryMs: 12 * HOUR, evaluateEveryMs: HOUR, settleMs: 15 * MIN, windowMs: HOUR,
  rollbackThreshold: -0.1, learningRate: 0.2, budget: 0.5,
};

function rig(options: Partial<OptimizerOptions> = {}, saved?: unknown) {
  const clock = new VirtualClock(0);
  const logger = createMemoryLogger();
  const world = { knob: 0, staleness: (knob: number) => 1000 + 500 * knob };
  const counters = { requests: 0, errors: 0, modelledBusMs: 0 };
  const read = (): Omit<Snapshot, 'at'> => ({
    ...counters, stalenessMs: world.staleness(world.knob), clusterCoverage: 0, clusterQuality: 0, patternConfidence: 0, predictionAccuracy: undefined,
  });
  const recorder = new MetricsRecorder({ clock, read, sampleEveryMs: MIN });
  const interval = new KnobStrategy('interval', 8, 0, world);
  const pattern = new KnobStrategy('pattern', 7, 12 * HOUR, world);
  const cluster = new KnobStrategy('cluster', 6, 24 * HOUR, world);
  const saves: boolean[] = [];
  let allow: { ok: boolean; reason?: string } = { ok: true };
  const loop = new PerformanceOptimizationLoop({
    clock, logger, scheduler: createClockScheduler(clock, () => undefined), strategies: [cluster, interval, pattern], recorder,
    resources: { check: () => allow }, persistence: { save: async (immediate) => { saves.push(immediate); } },
    options: { ...OPTIONS, ...options }, reference: () => ({ stalenessMs: 1000, budget: 0.5 }),
  }, saved);
  recorder.start();
  return { clock, logger, world, recorder, loop, interval, pattern, cluster, saves, setAllow: (v: typeof allow) => { allow = v; } };
}

describe('PerformanceOptimizationLoop', () => {
  it('logs its start, runs the quick cycle with the interval strategy only and the full cycle by priority', async () => {
    const r = rig();
    expect(r.logger.lines).toContain('INFO Performance optimization loop initialized with 3 strategies');
    const quick = await r.loop.runQuickOptimization('stdin');
    expect(quick.runs.map((x) => x.strategy)).toEqual(['interval']);
    expect(r.logger.lines).toContain('INFO Running quick optimization cycle');
    const full = await r.loop.runFullOptimization('user-1');
    expect(full.runs.map((x) => [x.strategy, x.status])).toEqual([['interval', 'applied'], ['pattern', 'applied'], ['cluster', 'applied']]);
    expect(r.logger.lines).toContain('INFO Running full optimization cycle');
    await r.clock.advance(HOUR);
    const again = await r.loop.runFullOptimization('scheduler');
    expect(again.runs.map((x) => x.status)).toEqual(['applied', 'skipped_cooldown', 'skipped_cooldown']);
    expect(r.logger.lines).toContain('DEBUG Skipping strategy pattern (on cooldown)');
    expect(r.loop.state.audit.map((a) => a.by)).toEqual(['stdin', 'user-1', 'user-1', 'user-1', 'scheduler']);
    expect(r.loop.state.lastFullAt).toBe(HOUR);
  });

  it('evaluates only after the settle and an equal-length after window, learns, and keeps a good change', async () => {
    const r = rig({ rollbackThreshold: -0.1 });
    r.world.staleness = (knob) => 3000 - 1000 * knob; // turning the knob helps
    await r.clock.advance(2 * HOUR);
    await r.loop.runQuickOptimization('scheduler');
    const record = r.loop.state.history[0];
    expect(record?.windowMs).toBe(HOUR);
    expect(record?.before.stalenessMs).toBeCloseTo(3000, 6);
    await r.clock.advance(HOUR); // settle 15 min + window 60 min not yet over
    expect(await r.loop.evaluateOptimizations('scheduler')).toEqual([]);
    await r.clock.advance(16 * MIN);
    const [outcome] = await r.loop.evaluateOptimizations('scheduler');
    expect(outcome).toMatchObject({ strategy: 'interval', rolledBack: false });
    expect(outcome?.score).toBeCloseTo((3 - 2) / 3, 6); // J = staleness/1000: 3 before, 2 after
    const learned = r.loop.state.strategies.interval;
    expect(learned?.evaluations).toBe(1);
    expect(learned?.successRate).toBeCloseTo((1 / 3 + 1) / 2, 6); // the first step is 1/(0+1): the outcome itself
    expect(r.world.knob).toBe(1);
  });

  it('rolls back a change that hurt, and audits the rollback', async () => {
    const r = rig();
    await r.clock.advance(2 * HOUR);
    await r.loop.runQuickOptimization('user-7');
    await r.clock.advance(2 * HOUR);
    const [outcome] = await r.loop.evaluateOptimizations('scheduler');
    expect(outcome?.score).toBeLessThan(-0.1);
    expect(outcome?.rolledBack).toBe(true);
    expect(r.world.knob).toBe(0);
    expect(r.loop.state.history[0]?.rolledBack).toBe(true);
    expect(r.loop.state.audit.at(-1)).toMatchObject({ by: 'scheduler', before: { knob: 1 }, after: { knob: 0 } });
    expect(r.logger.lines.some((l) => l.startsWith('INFO Rolled back optimization #1 (interval)'))).toBe(true);
  });

  it('validates parameter updates all-or-nothing, returns before/after and saves at once', async () => {
    const r = rig();
    await expect(r.loop.updateStrategyParameters('nope', { step: 1 }, 'u')).rejects.toThrow('unknown strategy "nope" (known: cluster, interval, pattern)');
    await expect(r.loop.updateStrategyParameters('interval', { step: 2, bogus: 1 }, 'u')).rejects.toThrow('interval has no parameter "bogus" (known: step, count)');
    await expect(r.loop.updateStrategyParameters('interval', { step: 11 }, 'u')).rejects.toThrow('step 11 is outside 0…10');
    await expect(r.loop.updateStrategyParameters('interval', { count: 1.5 }, 'u')).rejects.toThrow('count must be a whole number, got 1.5');
    await expect(r.loop.updateStrategyParameters('interval', { step: 'fast' }, 'u')).rejects.toThrow('step must be a number, got "fast"');
    await expect(r.loop.updateStrategyParameters('interval', {}, 'u')).rejects.toThrow('no parameters given');
    await expect(r.loop.updateStrategyParameters('interval', [], 'u')).rejects.toThrow('parameters must be an object of name: number, got []');
    expect(r.loop.state.strategies.interval?.parameters ?? { step: 1, count: 1 }).toEqual({ step: 1, count: 1 });
    expect(r.saves).toEqual([]);
    const result = await r.loop.updateStrategyParameters('interval', { step: 3 }, 'u');
    expect(result).toEqual({ before: { step: 1, count: 1 }, after: { step: 3, count: 1 } });
    expect(r.saves).toEqual([true]);
    await r.loop.runQuickOptimization('scheduler');
    expect(r.world.knob).toBe(3);
  });

  it('defers a full cycle when resources are short and retries later', async () => {
    const r = rig();
    r.setAllow({ ok: false, reason: 'event-loop lag 250 ms' });
    const report = await r.loop.runFullOptimization('scheduler');
    expect(report.deferred).toBe('event-loop lag 250 ms');
    expect(r.logger.lines).toContain('INFO Deferring full optimization cycle: event-loop lag 250 ms; retrying in 10 min');
    r.setAllow({ ok: true });
    await r.clock.advance(10 * MIN);
    expect(r.interval.seen.length).toBe(1);
  });

  it('names a failing strategy in an error line and carries on with the others', async () => {
    const r = rig();
    r.cluster.fail = new Error('matrix not ready');
    const report = await r.loop.runFullOptimization('scheduler');
    expect(report.runs.map((x) => x.status)).toEqual(['applied', 'applied', 'failed']);
    expect(r.logger.lines).toContain('ERROR Error in cluster optimization: matrix not ready');
  });

  it('fires its cycles from the scheduler at aligned times', async () => {
    const r = rig();
    r.loop.start();
    await r.clock.advance(12 * HOUR + MIN);
    expect(r.interval.seen.map((c) => c.now / HOUR)).toEqual([4, 8, 12, 12]); // quick at 4, 8, 12; full at 12
    await r.loop.stop();
  });

  it('keeps at most 50 history records and restores a saved state', async () => {
    const r = rig();
    for (let i = 0; i < 55; i++) await r.loop.runStrategy('interval', 'stdin');
    expect(r.loop.state.history.length).toBe(50);
    expect(r.loop.state.history[0]?.id).toBe(6);
    const saved = JSON.parse(JSON.stringify(r.loop.state)) as unknown;
    const restored = rig({}, saved);
    expect(restored.loop.state.history.length).toBe(50);
    expect(restored.loop.state.nextRecordId).toBe(56);
    expect(restored.logger.lines).toContain('DEBUG Loaded 50 optimization records from storage');
    const broken = rig({}, { history: 'nope' });
    expect(broken.loop.state.history).toEqual([]);
    expect(broken.logger.lines).toContain('WARNING Failed to load optimization history: optimizer.strategies is missing');
  });
});
