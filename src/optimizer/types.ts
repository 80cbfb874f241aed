/**
 * The shapes the optimization loop works with: strategies and their parameters, the metrics of a
 * time window, the changes a strategy makes (each reversible), the history record that lets a
 * change be evaluated honestly later, and the audit record of who changed what.
 */
import type { BusWindow } from '../modbus/pollerTypes.js';

export type ImpactLevel = 'low' | 'medium' | 'high';

export interface ParameterSpec {
  name: string;
  min: number;
  max: number;
  integer?: boolean;
  description: string;
}

export type Parameters = Record<string, number>;

/** Metrics of one time window, the same for every strategy's before/after comparison. */
export interface WindowMetrics {
  fromMs: number;
  toMs: number;
  requestsPerMin: number;
  /** Modelled bus time / wall time. */
  busUtilisation: number;
  /** Failed requests / requests. */
  errorRate: number;
  /** Time-average of the estimated mean staleness across entities (ms). */
  stalenessMs: number;
  /** Fraction of entities in an adopted cluster. */
  clusterCoverage: number;
  /** Mean correlation score of adopted clusters (0 when none). */
  clusterQuality: number;
  /** Mean confidence of adopted patterns (0 when none). */
  patternConfidence: number;
  /** Accuracy of the stats module's change predictions in [0, 1] (undefined before any). */
  predictionAccuracy: number | undefined;
}

/** One reversible change. `before`/`after` are plain JSON so records can be persisted. */
export interface Change {
  kind: 'interval' | 'cluster' | 'pattern' | 'parameter';
  target: string;
  before: unknown;
  after: unknown;
}

export interface StrategyResult {
  changes: Change[];
  summary: string;
}

export type Trigger = 'quick' | 'full' | 'manual' | 'rollback';

export interface OptimizationRecord {
  id: number;
  strategy: string;
  trigger: Trigger;
  /** HA user id, 'stdin', 'dashboard:<name>' or 'scheduler'. */
  by: string;
  appliedAt: number;
  /** Evaluation compares [appliedAt − window, appliedAt] with [appliedAt + settle, appliedAt + settle + window]. */
  settleMs: number;
  windowMs: number;
  before: WindowMetrics;
  after: WindowMetrics | undefined;
  /** What the after window would have been without the change (interval changes), when judged that way. */
  counterfactual?: WindowMetrics | undefined;
  score: number | undefined;
  evaluatedAt: number | undefined;
  rolledBack: boolean;
  changes: Change[];
  summary: string;
}

export interface AuditRecord {
  at: number;
  by: string;
  what: string;
  before: unknown;
  after: unknown;
}

/** What the loop remembers per strategy (persisted). */
export interface StrategyState {
  parameters: Parameters;
  successRate: number;
  evaluations: number;
  runs: number;
  lastRunAt: number | undefined;
  lastScore: number | undefined;
  /** Relative improvement of the objective in the last evaluation (fraction, may be negative). */
  lastImprovement: number | undefined;
}

/** What the optimizer needs of the app's bus-window recorder (telemetry/busWindows.ts). */
export interface BusWindowSource {
  /** Cumulative counters summed over every bus, now. */
  totals(): { requests: number; errors: number; modelledBusMs: number };
  /** A window opening now; its advance() answers once at least minSpanMs have passed. */
  open(minSpanMs?: number): BusWindow;
}
