/**
 * The optimization loop's memory: per-strategy learning, the bounded history of applied changes
 * (each awaiting or holding its evaluation) and the bounded audit log. Plain JSON, persisted by the
 * store; `checkLoopState` rejects a malformed saved state with a message naming what is wrong.
 */
import type { LostMove } from './memory.js';
import type { AuditRecord, OptimizationRecord, StrategyState } from './types.js';

/** How the loop behaves (issue 15's loop health), counted over its life. */
export interface LoopHealth {
  /** Proposed moves dropped because they repeat a lost move without new evidence. */
  repeatsBlocked: number;
  /** Lost moves proposed again because their evidence moved beyond its interval. */
  reopenedByEvidence: number;
  /** Full cycles deferred, by the figure that said no (cpu, event_loop, bus, errors). */
  deferrals: Record<string, number>;
  /** Full cycles run although resources said no, after too many deferrals in a row. */
  deferralsOverridden: number;
}

export interface LoopState {
  strategies: Record<string, StrategyState>;
  /** Moves that lost, with the evidence they rested on (memory.ts). */
  memory: LostMove[];
  health: LoopHealth;
  history: OptimizationRecord[];
  audit: AuditRecord[];
  lastQuickAt: number | undefined;
  lastFullAt: number | undefined;
  lastEvaluationAt: number | undefined;
  nextRecordId: number;
}

export const HISTORY_LIMIT = 50;
export const AUDIT_LIMIT = 500;

export function emptyLoopState(): LoopState {
  return {
    strategies: {}, memory: [], health: emptyHealth(), history: [], audit: [],
    lastQuickAt: undefined, lastFullAt: undefined, lastEvaluationAt: undefined, nextRecordId: 1,
  };
}

function emptyHealth(): LoopHealth {
  return { repeatsBlocked: 0, reopenedByEvidence: 0, deferrals: {}, deferralsOverridden: 0 };
}

export function freshStrategyState(defaults: Readonly<Record<string, number>>): StrategyState {
  return { parameters: { ...defaults }, successRate: 0.5, evaluations: 0, runs: 0, lastRunAt: undefined, lastScore: undefined, lastImprovement: undefined };
}

/** Appends and trims from the front so the newest `limit` entries remain. */
export function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

/** Throws an Error naming the first problem when `raw` is not a usable LoopState. */
export function checkLoopState(raw: unknown): asserts raw is LoopState {
  const s = raw as Partial<LoopState> | null;
  if (typeof s !== 'object' || s === null) throw new Error('optimizer state is not an object');
  if (typeof s.strategies !== 'object' || s.strategies === null) throw new Error('optimizer.strategies is missing');
  if (!Array.isArray(s.history)) throw new Error('optimizer.history is not a list');
  if (!Array.isArray(s.audit)) throw new Error('optimizer.audit is not a list');
  if (typeof s.nextRecordId !== 'number') throw new Error('optimizer.nextRecordId is missing');
  s.history.forEach((r, i) => {
    if (typeof r.strategy !== 'string' || typeof r.appliedAt !== 'number' || !Array.isArray(r.changes)) {
      throw new Error(`optimizer.history[${i}] is malformed`);
    }
    for (const c of r.changes) if (!Array.isArray(c.entities)) c.entities = [c.target]; // saved before changes named their entities
  });
  if (s.memory === undefined) s.memory = [];
  if (!Array.isArray(s.memory)) throw new Error('optimizer.memory is not a list');
  s.health = { ...emptyHealth(), ...s.health }; // saved before some counters existed
}
