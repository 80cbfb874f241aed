/**
 * The optimizer's options resolved: durations in milliseconds and the strategy parameter groups as
 * plain name → number maps, the shape the optimization loop and its strategies take.
 */
import { ConfigError } from '../core/errors.js';
import type { Goal, StrategyName } from './vocabulary.js';
import { parseDuration } from './duration.js';
import type { OptimizerOptionsRaw } from './options.js';

export interface ResolvedOptimizerOptions {
  enabled: boolean;
  goal: Goal;
  localSteps: boolean;
  quickEveryMs: number;
  fullEveryMs: number;
  evaluateEveryMs: number;
  settleMs: number;
  windowMs: number;
  budget: number;
  rollbackThreshold: number;
  learningRate: number;
  /** Strategies the scheduled cycles run. */
  strategies: StrategyName[];
  /** Configured parameters per strategy (interval, cluster, pattern). */
  parameters: Record<string, Record<string, number>>;
}

/** Throws ConfigError naming the option when a duration is not usable (e.g. "0s"). */
function durationOf(o: OptimizerOptionsRaw, key: 'quick_every' | 'full_every' | 'evaluate_every' | 'settle' | 'evaluation_window'): number {
  try {
    return parseDuration(o[key]);
  } catch (err) {
    throw new ConfigError([`optimizer.${key} ${err instanceof Error ? err.message : String(err)}`]);
  }
}

export function toOptimizerOptions(o: OptimizerOptionsRaw): ResolvedOptimizerOptions {
  return {
    enabled: o.enabled,
    goal: o.goal,
    localSteps: o.local_steps,
    quickEveryMs: durationOf(o, 'quick_every'),
    fullEveryMs: durationOf(o, 'full_every'),
    evaluateEveryMs: durationOf(o, 'evaluate_every'),
    settleMs: durationOf(o, 'settle'),
    windowMs: durationOf(o, 'evaluation_window'),
    budget: o.bus_budget,
    rollbackThreshold: o.rollback_threshold,
    learningRate: o.learning_rate,
    strategies: [...new Set(o.strategies)],
    parameters: { interval: { ...o.interval }, cluster: { ...o.cluster }, pattern: { ...o.pattern } },
  };
}
