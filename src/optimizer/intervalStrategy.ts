/**
 * Interval strategy (priority 8): proposes to move each eligible entity's poll interval toward the
 * target of the goal's allocation (see targets.ts) by `aggressiveness` — in rungs of the power-of-two ladder, so 4 s → 64 s passes
 * 16 s, and always by at least one rung — most promising entities first, at most `max_entities_per_run` per run, within the strategy's and the
 * entity's own bounds. A learned success rate above one half makes it bolder, below one half more
 * careful. Work is done in slices that yield to the event loop, so polling never waits for it.
 */
import { sleep, type Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { PollerView } from '../modbus/pollerTypes.js';
import { applyProposedInterval, revertInterval } from './intervalChanges.js';
import { snapToLadder } from './intervalLadder.js';
import type { Strategy, StrategyContext } from './strategy.js';
import { computeTargets, type Target, type TargetInputs } from './targets.js';
import type { Change, StrategyResult } from './types.js';

export interface IntervalStrategyDeps {
  clock: Clock;
  logger: Logger;
  poller: Pick<PollerView, 'intervalMs' | 'setIntervalMs'>;
  /** Everything computeTargets needs except the bounds, which are this strategy's parameters. */
  targetInputs: () => Omit<TargetInputs, 'minMs' | 'maxMs'>;
}

const SLICE = 500;
/** Changes smaller than this fraction are not worth a record. */
const MIN_RELATIVE_STEP = 0.05;

export class IntervalStrategy implements Strategy {
  readonly name = 'interval';
  readonly priority = 8;
  readonly impactLevel = 'medium' as const;
  readonly cooldownMs = 0;
  readonly parameterSpecs = [
    { name: 'min_interval', min: 0.1, max: 86_400, description: 'shortest interval it may set (s)' },
    { name: 'max_interval', min: 1, max: 86_400, description: 'longest interval it may set (s)' },
    { name: 'aggressiveness', min: 0, max: 1, description: 'fraction of the way toward the target per run' },
    { name: 'max_entities_per_run', min: 1, max: 100_000, integer: true, description: 'entities changed per run at most' },
  ];
  readonly defaults = { min_interval: 5, max_interval: 300, aggressiveness: 0.5, max_entities_per_run: 100 };

  constructor(private readonly deps: IntervalStrategyDeps) {}

  async propose(ctx: StrategyContext): Promise<StrategyResult> {
    const p = ctx.parameters;
    const minMs = (p.min_interval ?? 5) * 1000;
    const maxMs = Math.max(minMs, (p.max_interval ?? 300) * 1000);
    const targets = computeTargets({ ...this.deps.targetInputs(), minMs, maxMs }).targets
      .filter((t) => ctx.eligible(t.entityId) && Math.abs(Math.log(t.targetMs / t.currentMs)) > Math.log(1 + MIN_RELATIVE_STEP))
      .sort((a, b) => Math.abs(b.ageGainMs) - Math.abs(a.ageGainMs) || a.entityId.localeCompare(b.entityId))
      .slice(0, p.max_entities_per_run ?? 100);
    const step = Math.min(1, (p.aggressiveness ?? 0.5) * (0.5 + ctx.successRate));
    const changes: Change[] = [];
    for (let i = 0; i < targets.length; i++) {
      if (i > 0 && i % SLICE === 0) await sleep(this.deps.clock, 0);
      const change = this.move(targets[i] as Target, step, minMs, maxMs);
      if (change) changes.push(change);
    }
    const faster = changes.filter((c) => (c.after as number) < (c.before as number)).length;
    return { changes, summary: `${changes.length} intervals toward their targets (${faster} faster, ${changes.length - faster} slower)` };
  }

  apply(change: Change): boolean {
    try {
      return applyProposedInterval(this.deps.poller, change);
    } catch (err) {
      this.deps.logger.warn(`Failed to optimize interval for ${change.target}: ${describeError(err)}`);
      return false;
    }
  }

  revert(change: Change): boolean {
    return revertInterval(this.deps.poller, change);
  }

  /** Moves by whole rungs of the ladder: at least one, about `step` of the way in rungs. */
  private move(t: Target, step: number, minMs: number, maxMs: number): Change | undefined {
    const from = snapToLadder(t.currentMs, minMs, maxMs);
    const rungs = Math.log2(t.targetMs / from);
    const moved = Math.sign(rungs) * Math.max(1, Math.round(Math.abs(rungs) * step));
    const wanted = Math.round(Math.abs(rungs) < 0.5 ? t.targetMs : snapToLadder(from * 2 ** moved, minMs, maxMs));
    if (wanted === t.currentMs) return undefined;
    return { kind: 'interval', target: t.entityId, before: t.currentMs, after: wanted, entities: [t.entityId], evidence: t.evidence };
  }
}
