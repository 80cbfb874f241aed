/**
 * The optimization view, read straight from the loop's own state: the history records (newest
 * first) with their before/after/counterfactual window metrics, scores and rollbacks; each
 * strategy's figures, parameters and the ranges a parameter may take (for the actions form); and the
 * audit log, newest first. Without an optimizer the view says so instead of showing empty tables.
 */
import type { OptimizerStatistics, StrategyStatistics } from '../telemetry/optimizerFigures.js';
import type { AuditRecord, OptimizationRecord, ParameterSpec } from '../optimizer/types.js';
import type { DashboardSource } from './overviewView.js';

/** Audit entries sent at most (the loop keeps up to 500). */
const AUDIT_SHOWN = 200;

export interface StrategyView extends StrategyStatistics {
  parameterSpecs: ParameterSpec[];
}

export interface OptimizationView {
  enabled: boolean;
  statistics: Omit<OptimizerStatistics, 'strategies'> | null;
  strategies: StrategyView[];
  history: OptimizationRecord[];
  audit: AuditRecord[];
  /** Commands the actions view may send. */
  commands: string[];
}

const ACTIONS = ['run_quick_optimization', 'run_full_optimization', 'evaluate_optimizations', 'run_strategy', 'update_strategy_parameters'];

export function buildOptimization(src: DashboardSource): OptimizationView {
  const svc = src.optimizer;
  const figures = src.optimizerStatistics();
  if (!svc || !figures) return { enabled: false, statistics: null, strategies: [], history: [], audit: [], commands: [] };
  const { strategies, ...rest } = figures;
  return {
    enabled: figures.enabled,
    statistics: rest,
    strategies: strategies.map((s) => ({ ...s, parameterSpecs: [...(svc.loop.strategy(s.name)?.parameterSpecs ?? [])] })),
    history: [...svc.loop.state.history].reverse(),
    audit: svc.loop.state.audit.slice(-AUDIT_SHOWN).reverse(),
    commands: ACTIONS,
  };
}

/** A cheap fingerprint: the page refetches the view when it changes. */
export function optimizationVersion(src: DashboardSource): string {
  const state = src.optimizer?.loop.state;
  if (!state) return 'none';
  const last = state.history.at(-1);
  const audit = state.audit.at(-1);
  return [state.history.length, last?.id, last?.evaluatedAt, last?.rolledBack, state.audit.length, audit?.at, state.lastEvaluationAt].join(':');
}
