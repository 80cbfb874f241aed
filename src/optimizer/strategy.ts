/**
 * The one interface every optimization strategy implements (interval, cluster, pattern): propose
 * reversible changes, apply one, revert one — the loop runs the experiment and the judge scores it,
 * so every strategy is judged by the same objective. Also the
 * validation of parameter updates against each strategy's declared parameters: an unknown
 * parameter, a non-number or an out-of-range value rejects the whole update, so nothing changes.
 */
import type { Change, ImpactLevel, ParameterSpec, Parameters, StrategyResult } from './types.js';

export interface StrategyContext {
  now: number;
  /** Who asked: HA user id, 'stdin', 'scheduler', … */
  by: string;
  parameters: Readonly<Parameters>;
  /** Success rate learned so far in [0, 1]; strategies may act more boldly when it is high. */
  successRate: number;
  /** False for entities in an open experiment (at most one per entity) — propose nothing for them. */
  eligible: (entityId: string) => boolean;
}

export interface Strategy {
  readonly name: string;
  /** 1–10; full cycles run strategies in descending priority. */
  readonly priority: number;
  readonly impactLevel: ImpactLevel;
  readonly cooldownMs: number;
  readonly parameterSpecs: readonly ParameterSpec[];
  readonly defaults: Readonly<Parameters>;
  /** Proposes changes without applying any (the loop's experiment applies a random half first). */
  propose(ctx: StrategyContext): Promise<StrategyResult>;
  /**
   * The entities this strategy would change now, if it can tell cheaply: a full cycle keeps them from
   * the strategies that run before it (reservations.ts). Absent: it claims nothing.
   */
  claims?(ctx: StrategyContext): string[];
  /** Applies one proposed change if the current state still equals its `before`; returns whether it did. */
  apply(change: Change): boolean;
  /** Undoes one change if the current state still equals its `after`; returns whether it did. */
  revert(change: Change): boolean;
}

export class ParameterError extends Error {}

/** Validates `update` against the specs; returns the merged parameters or throws naming every problem. */
export function mergeParameters(strategy: Strategy, current: Readonly<Parameters>, update: unknown): Parameters {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw new ParameterError(`parameters must be an object of name: number, got ${JSON.stringify(update)}`);
  }
  const problems: string[] = [];
  const merged: Parameters = { ...current };
  for (const [name, value] of Object.entries(update as Record<string, unknown>)) {
    const spec = strategy.parameterSpecs.find((s) => s.name === name);
    if (!spec) {
      problems.push(`${strategy.name} has no parameter "${name}" (known: ${strategy.parameterSpecs.map((s) => s.name).join(', ')})`);
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${name} must be a number, got ${JSON.stringify(value)}`);
    } else if (value < spec.min || value > spec.max) {
      problems.push(`${name} ${value} is outside ${spec.min}…${spec.max}`);
    } else if (spec.integer && !Number.isInteger(value)) {
      problems.push(`${name} must be a whole number, got ${value}`);
    } else {
      merged[name] = value;
    }
  }
  if (Object.keys(update).length === 0) problems.push('no parameters given');
  if (problems.length > 0) throw new ParameterError(problems.join('; '));
  return merged;
}
