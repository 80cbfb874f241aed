/**
 * Honest evaluation of applied changes. A record is judged only once its settle window has passed
 * and an "after" window as long as its "before" window has been observed; the strategy scores the
 * two windows, the strategy's success rate learns from the score, and a change scoring below the
 * rollback threshold is undone (only where the current state still is what the change set).
 */
import type { Logger } from '../core/logger.js';
import { updatedSuccessRate } from './learning.js';
import type { LoopState } from './loopState.js';
import { pushBounded, AUDIT_LIMIT } from './loopState.js';
import type { MetricsRecorder } from './metricsRecorder.js';
import { clampScore, improvement, type ScoringReference } from './scoring.js';
import type { Strategy } from './strategy.js';
import type { OptimizationRecord, WindowMetrics } from './types.js';

export interface EvaluationOutcome {
  id: number;
  strategy: string;
  score: number | undefined;
  rolledBack: boolean;
  note: string;
}

/**
 * The after window as it would have been without the record's interval changes (same window, same
 * rates, the old intervals), or undefined when the record moved no intervals. Comparing the real
 * after window with this removes what changed on its own meanwhile — sunrise, a heat pump starting —
 * which a plain before/after comparison would blame on (or credit to) the change.
 */
export type Counterfactual = (record: OptimizationRecord, after: WindowMetrics) => WindowMetrics | undefined;

export interface EvaluatorDeps {
  logger: Logger;
  recorder: MetricsRecorder;
  counterfactual?: Counterfactual;
  strategies: ReadonlyMap<string, Strategy>;
  reference: () => ScoringReference;
  rollbackThreshold: number;
  learningRate: number;
}

/** Evaluates every record that is due at `now`; mutates `state`. */
export function evaluateDue(deps: EvaluatorDeps, state: LoopState, now: number, by: string): EvaluationOutcome[] {
  const outcomes: EvaluationOutcome[] = [];
  for (const record of state.history) {
    if (record.evaluatedAt !== undefined) continue;
    const afterStart = record.appliedAt + record.settleMs;
    const afterEnd = afterStart + record.windowMs;
    if (now < afterEnd) continue;
    const after = deps.recorder.window(afterStart, afterEnd);
    if (!after) {
      if (now > afterEnd + record.windowMs) outcomes.push(giveUp(record, now));
      continue;
    }
    outcomes.push(judge(deps, state, record, after, now, by));
  }
  return outcomes;
}

function giveUp(record: OptimizationRecord, now: number): EvaluationOutcome {
  record.evaluatedAt = now;
  return { id: record.id, strategy: record.strategy, score: undefined, rolledBack: false, note: 'no metrics for the after window (was the app stopped?)' };
}

function judge(deps: EvaluatorDeps, state: LoopState, record: OptimizationRecord, after: OptimizationRecord['before'], now: number, by: string): EvaluationOutcome {
  const strategy = deps.strategies.get(record.strategy);
  const baseline = deps.counterfactual?.(record, after) ?? record.before;
  const score = clampScore(strategy ? strategy.evaluate(baseline, after) : 0);
  record.counterfactual = baseline === record.before ? undefined : baseline;
  record.after = after;
  record.score = score;
  record.evaluatedAt = now;
  const learned = state.strategies[record.strategy];
  if (learned) {
    learned.successRate = updatedSuccessRate(learned.successRate, learned.evaluations, score, deps.learningRate);
    learned.evaluations++;
    learned.lastScore = score;
    learned.lastImprovement = improvement(baseline, after, deps.reference());
  }
  let rolledBack = false;
  if (strategy && score < deps.rollbackThreshold) {
    const undone = [...record.changes].reverse().filter((c) => strategy.revert(c));
    rolledBack = true;
    record.rolledBack = true;
    pushBounded(state.audit, {
      at: now, by, what: `rollback of #${record.id} (${record.strategy}, score ${score.toFixed(2)}): ${undone.length} of ${record.changes.length} changes undone`,
      before: Object.fromEntries(undone.map((c) => [c.target, c.after])),
      after: Object.fromEntries(undone.map((c) => [c.target, c.before])),
    }, AUDIT_LIMIT);
    deps.logger.info(`Rolled back optimization #${record.id} (${record.strategy}): score ${score.toFixed(2)} below ${deps.rollbackThreshold}`);
  }
  return { id: record.id, strategy: record.strategy, score, rolledBack, note: rolledBack ? 'rolled back' : 'kept' };
}
