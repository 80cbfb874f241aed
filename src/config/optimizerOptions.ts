/**
 * The optimizer's options resolved: durations in milliseconds and the strategy parameter groups as
 * plain name → number maps, the shape the optimization loop and its strategies take.
 */
import { parseDuration } from './duration.js';
import type { OptimizerOptionsRaw } from './options.js';

export interface ResolvedOptimizerOptions {
  enabled: boolean;
  quickEveryMs: number;
  fullEveryMs: number;
  evaluateEveryMs: number;
  settleMs: number;
  windowMs: number;
  budget: number;
  rollbackThreshold: number;
  learningRate: number;
  /** Configured parameters per strategy (interval, cluster, pattern). */
  parameters: Record<string, Record<string, number>>;
}

export function toOptimizerOptions(o: OptimizerOptionsRaw): ResolvedOptimizerOptions {
  return {
    enabled: o.enabled,
    quickEveryMs: parseDuration(o.quick_every),
    fullEveryMs: parseDuration(o.full_every),
    evaluateEveryMs: parseDuration(o.evaluate_every),
    settleMs: parseDuration(o.settle),
    windowMs: parseDuration(o.evaluation_window),
    budget: o.bus_budget,
    rollbackThreshold: o.rollback_threshold,
    learningRate: o.learning_rate,
    parameters: { interval: { ...o.interval }, cluster: { ...o.cluster }, pattern: { ...o.pattern } },
  };
}
