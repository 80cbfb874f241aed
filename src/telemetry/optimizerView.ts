/**
 * What the faces may see of the optimizer: its figures, its history and audit records, the clusters
 * it adopted, and the ranges each strategy parameter may take. A narrow read-only view, so the
 * dashboard renders the loop's own state without holding the service that changes it.
 */
import type { OptimizerService } from '../optimizer/optimizerService.js';
import type { AuditRecord, OptimizationRecord, ParameterSpec } from '../optimizer/types.js';
import type { OptimizerStatistics } from './optimizerFigures.js';

export interface OptimizerView {
  statistics(): OptimizerStatistics;
  /** Oldest first, as the loop keeps them. */
  history(): readonly OptimizationRecord[];
  audit(): readonly AuditRecord[];
  clusters(): ReadonlyArray<{ id: string; members: readonly string[] }>;
  parameterSpecs(strategy: string): readonly ParameterSpec[];
  lastEvaluationAt(): number | undefined;
}

export function optimizerView(svc: OptimizerService, statistics: () => OptimizerStatistics): OptimizerView {
  return {
    statistics,
    history: () => svc.loop.state.history,
    audit: () => svc.loop.state.audit,
    clusters: () => svc.clusters.list(),
    parameterSpecs: (strategy) => svc.loop.strategy(strategy)?.parameterSpecs ?? [],
    lastEvaluationAt: () => svc.loop.state.lastEvaluationAt,
  };
}
