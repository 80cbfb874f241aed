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
  const view = src.optimizer;
  if (!view) return { enabled: false, statistics: null, strategies: [], history: [], audit: [], commands: [] };
  const { strategies, ...rest } = view.statistics();
  return {
    enabled: rest.enabled,
    statistics: rest,
    strategies: strategies.map((s) => ({ ...s, parameterSpecs: [...view.parameterSpecs(s.name)] })),
    history: [...view.history()].reverse(),
    audit: view.audit().slice(-AUDIT_SHOWN).reverse(),
    commands: ACTIONS,
  };
}

/** A cheap fingerprint: the page refetches the view when it changes. */
export function optimizationVersion(src: DashboardSource): string {
  const view = src.optimizer;
  if (!view) return 'none';
  const history = view.history();
  const audit = view.audit();
  const last = history.at(-1);
  return [history.length, last?.id, last?.evaluatedAt, last?.rolledBack, audit.length, audit.at(-1)?.at, view.lastEvaluationAt()].join(':');
}
