/**
 * The shapes the optimization loop works with: strategies and their parameters, the metrics of a
 * time window, the changes a strategy makes (each reversible), the history record that lets a
 * change be evaluated honestly later, and the audit record of who changed what.
 */
import type { BusWindow } from '../modbus/pollerTypes.js';
import type { BusPlan } from './objective.js';

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

/**
 * What a proposed change rests on, e.g. the entity's change rate per hour with its 95 % interval. A
 * change that lost is not proposed again while new evidence stays inside the interval it had then.
 */
export interface Evidence {
  value: number;
  lower: number;
  upper: number;
}

/** One reversible change. `before`/`after` are plain JSON so records can be persisted. */
export interface Change {
  kind: 'interval' | 'cluster' | 'pattern' | 'parameter';
  target: string;
  before: unknown;
  after: unknown;
  /** The entities it touches (an interval's entity, a cluster's members). */
  entities: string[];
  evidence?: Evidence;
}

/** What a strategy proposes; nothing is applied yet (the loop applies a random half first). */
export interface StrategyResult {
  changes: Change[];
  summary: string;
}

/** An entity's poller counters at the start of an experiment's window. */
export interface EntityCounters {
  polls: number;
  changes: number;
  /** Triggered reads (cluster) and the staleness they removed: Σ s²/2 over hits, s = time saved (ms²). */
  triggeredReads: number;
  savedAgeMs2: number;
}

/** The estimated effect of a record's changes in the one objective (src/optimizer/objective.ts). */
export interface Effect {
  /** Objective saved / the objective at the configured intervals (positive = better). */
  improvement: number;
  /** Standard error of `improvement`. */
  standardError: number;
  /** Change of bus fraction (negative = less bus time), summed over buses, measured-calibrated. */
  busFraction: number;
  /** Change of each bus's mean age (ms, negative = fresher), summed over buses. */
  meanAgeMs: number;
  /** Window the effect was measured over. */
  fromMs: number;
  toMs: number;
}

export type Verdict = 'adopted' | 'rejected' | 'inconclusive';

/**
 * A controlled experiment (issue 15): the proposal was split at random; `changes` of the record were
 * applied (the treated arm), `control` was held back. At the end of the window the treated arm's
 * effect is estimated within that same window — each moved entity against itself at its old
 * interval, with the change rate observed in the window, and the bus by the exact schedule model
 * calibrated by the bus's measured time — so what changed on its own meanwhile (sunrise, a heat pump
 * starting) cancels. A significant gain rolls the control arm out; otherwise the treated arm is undone.
 */
export interface Experiment {
  control: Change[];
  /** Price and reference per bus at proposal time (what the allocator aimed at). */
  plans: BusPlan[];
  /** Start of the measured window (after the settle time); undefined until then. */
  windowFrom: number | undefined;
  startCounters: Record<string, EntityCounters>;
  /**
   * Polls at the old interval in the hour or so before the change (since the last checkpoint), as
   * more evidence about each moved entity's rate; absent for entities moved since the checkpoint.
   */
  preCounters?: Record<string, { polls: number; changes: number; intervalMs: number }>;
  /** Measured busy ms per bus at the window start. */
  startBusyMs: Record<string, number>;
  effect?: Effect;
  verdict?: Verdict;
  /** Control changes applied at roll-out. */
  rolledOut?: number;
  /** Times the window was extended because the first looks were inconclusive (judge.ts LOOKS). */
  extensions?: number;
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
  /** The improvement the judge estimated (src/optimizer/objective.ts), when judged. */
  score: number | undefined;
  evaluatedAt: number | undefined;
  rolledBack: boolean;
  /** Undone changes when fewer than all could be (the rest had been changed again meanwhile). */
  undone?: number;
  changes: Change[];
  summary: string;
  experiment?: Experiment;
  /** Entities taken out of this experiment by a regime shift (experimentWithdraw.ts). */
  withdrawn?: number;
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
  /** Experience-weighted share of this strategy's judged experiments that were adopted (significant gain). */
  successRate: number;
  evaluations: number;
  runs: number;
  lastRunAt: number | undefined;
  lastScore: number | undefined;
  /** Relative improvement of the objective in the last evaluation (fraction, may be negative). */
  lastImprovement: number | undefined;
  /** Verdict counts over the strategy's life. */
  adopted?: number;
  rejected?: number;
  inconclusive?: number;
}

/** What the optimizer needs of the app's bus-window recorder (telemetry/busWindows.ts). */
export interface BusWindowSource {
  /** Cumulative counters summed over every bus, now. */
  totals(): { requests: number; errors: number; modelledBusMs: number };
  /** A window opening now; its advance() answers once at least minSpanMs have passed. */
  open(minSpanMs?: number): BusWindow;
}
