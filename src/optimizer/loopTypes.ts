/**
 * The optimization loop's contract with the rest of the app: its options, what it needs injected
 * (clock, scheduler, strategies, resource adapter, persistence, the experiment host) and what its
 * cycles report. Kept apart from loop.ts so the resource probes, the statistics and the commands
 * can name these without the loop's machinery.
 */
import type { ResolvedOptimizerOptions } from '../config/optimizerOptions.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import type { Scheduler } from '../core/scheduler.js';
import type { ExperimentHost } from './experiments.js';
import type { MetricsRecorder } from './metricsRecorder.js';
import type { Strategy } from './strategy.js';
import type { Trigger } from './types.js';

/**
 * The loop's schedule and thresholds: the resolved `optimizer` options (parameters go to the
 * strategies); `strategies` (which ones the scheduled cycles run) defaults to all.
 */
export type OptimizerOptions = Omit<ResolvedOptimizerOptions, 'parameters' | 'strategies'> & { strategies?: readonly string[] };

/** Why a heavy cycle waits: the figure that was over its limit. */
export const DEFERRAL_KINDS = ['cpu', 'event_loop', 'bus', 'errors'] as const;
export type DeferralKind = (typeof DEFERRAL_KINDS)[number];

export interface ResourceVerdict {
  ok: boolean;
  /** Why not, for the log line. */
  reason?: string;
  /** Which figure said no, for the counts. */
  kind?: DeferralKind;
}

export interface ResourceAdapter {
  /** Whether a heavy cycle may run now; `reason` says why not. */
  check(): ResourceVerdict;
}

export interface LoopPersistence {
  /** Rejects when the write failed (immediate saves are awaited before a command is answered). */
  save(immediate: boolean): Promise<void>;
}

/** An acknowledged change could not be written; the command answers `failed` with this message. */
export class PersistError extends Error {}

export interface LoopDeps {
  clock: Clock;
  logger: Logger;
  scheduler: Scheduler;
  strategies: readonly Strategy[];
  recorder: MetricsRecorder;
  resources: ResourceAdapter;
  persistence: LoopPersistence;
  options: OptimizerOptions;
  /** Splits proposals into treated and control arms. */
  random: Random;
  /** The measurements experiments are judged by. */
  host: ExperimentHost;
  /** Called after anything changed (sensors, dashboard). */
  onChange?: () => void;
}

export interface StrategyRun {
  strategy: string;
  status: 'applied' | 'no_change' | 'skipped_cooldown' | 'skipped_learning' | 'skipped_off' | 'failed';
  /** Proposed moves left out because they repeat a lost move without new evidence. */
  blocked?: number;
  record?: number;
  summary: string;
}

export interface CycleReport {
  cycle: Trigger | 'strategy';
  deferred?: string;
  runs: StrategyRun[];
}
