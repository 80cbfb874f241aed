/**
 * The optimizer's learned state as a persisted part. The saved section is checked item by item before
 * anything is applied: an interval must be a positive number of milliseconds, a cluster an id, a
 * score and two or more distinct members, a pattern an entity id and a split key. An item that fails
 * is dropped with one warning naming it, so a hand-edited file can never give an entity a wrong
 * interval in silence; the loop's history has its own check (loopState.ts).
 */
import { isRecord, shown, type PersistedPart } from '../core/persisted.js';
import type { AdoptedCluster } from './clusterController.js';
import type { LoopState } from './loopState.js';
import type { AdoptedPattern } from './patternController.js';
import { GOALS, type Goal } from '../config/vocabulary.js';
import type { Parameters } from './types.js';

/** What `set_optimizer` changes at run time. */
export interface OptimizerSettings {
  goal: Goal;
  enabled: boolean;
}

/** What the optimizer persists (the state file's `optimizer` section). */
export interface OptimizerSaved {
  loop: LoopState | undefined;
  /** The configured strategy parameters when this was saved: an option the user changed since wins. */
  optionParameters?: Record<string, Parameters>;
  intervals: Record<string, number>;
  /** Goal and enabled as set at run time, and the options they were set against (an option changed since wins). */
  settings?: OptimizerSettings;
  optionSettings?: OptimizerSettings;
  clusters: AdoptedCluster[];
  patterns: AdoptedPattern[];
}

type Warn = (problem: string) => void;

export interface OptimizerKeeper {
  snapshot(): OptimizerSaved;
  restore(saved: OptimizerSaved, warn: Warn): void;
}

function checkIntervals(raw: unknown, warn: Warn): Record<string, number> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    warn(`optimizer.intervals dropped: ${shown(raw)} is not an object`);
    return {};
  }
  const out: Record<string, number> = {};
  for (const [id, ms] of Object.entries(raw)) {
    if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) out[id] = ms;
    else warn(`optimizer.intervals.${id} dropped: ${shown(ms)} is not a positive number of ms (the configured interval stays)`);
  }
  return out;
}

function checkSettings(raw: unknown, name: string, warn: Warn): OptimizerSettings | undefined {
  if (raw === undefined) return undefined;
  if (isRecord(raw) && GOALS.includes(raw.goal as Goal) && typeof raw.enabled === 'boolean') return { goal: raw.goal as Goal, enabled: raw.enabled };
  warn(`${name} dropped: ${shown(raw)} is not {goal: ${GOALS.join(' | ')}, enabled: true | false} (the options apply)`);
  return undefined;
}

function clusterProblem(c: unknown): string | undefined {
  if (!isRecord(c)) return 'not an object';
  if (typeof c.id !== 'string' || c.id === '') return 'no id';
  if (typeof c.score !== 'number' || !Number.isFinite(c.score)) return `score ${shown(c.score)} is not a number`;
  const m = c.members;
  if (!Array.isArray(m) || m.length < 2 || !m.every((x) => typeof x === 'string') || new Set(m).size !== m.length) {
    return `members ${shown(m)} are not two or more distinct entity ids`;
  }
  return undefined;
}

function patternProblem(p: unknown): string | undefined {
  if (!isRecord(p)) return 'not an object';
  if (typeof p.entityId !== 'string' || p.entityId === '') return 'no entityId';
  if (typeof p.key !== 'string' || !/^(timeOfDay|context):./.test(p.key)) return `key ${shown(p.key)} is not a split (timeOfDay:… or context:…)`;
  return undefined;
}

/** The items of a saved list that pass `problem`, each failure warned about as `<name>[i]`. */
function checkList<T>(raw: unknown, name: string, problem: (x: unknown) => string | undefined, warn: Warn): T[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    warn(`${name} dropped: ${shown(raw)} is not a list`);
    return [];
  }
  return raw.filter((x: unknown, i) => {
    const p = problem(x);
    if (p !== undefined) warn(`${name}[${i}] dropped: ${p}`);
    return p === undefined;
  }) as T[];
}

/** The usable part of a saved optimizer section; throws only when it is not an object at all. */
export function checkOptimizerSaved(raw: unknown, warn: Warn): OptimizerSaved {
  if (!isRecord(raw)) throw new Error(`optimizer is ${shown(raw)}, not an object`);
  const seen = new Set<string>();
  const patterns = checkList<AdoptedPattern>(raw.patterns, 'optimizer.patterns', patternProblem, warn).filter((p) => {
    const first = !seen.has(p.entityId);
    if (!first) warn(`optimizer.patterns: a second pattern for ${p.entityId} dropped`);
    seen.add(p.entityId);
    return first;
  });
  return {
    loop: raw.loop as LoopState | undefined, // the loop checks its own history and audit
    optionParameters: isRecord(raw.optionParameters) ? raw.optionParameters as Record<string, Parameters> : undefined,
    intervals: checkIntervals(raw.intervals, warn),
    settings: checkSettings(raw.settings, 'optimizer.settings', warn),
    optionSettings: checkSettings(raw.optionSettings, 'optimizer.optionSettings', warn),
    clusters: checkList<AdoptedCluster>(raw.clusters, 'optimizer.clusters', clusterProblem, warn),
    patterns,
  };
}

export function persistedOptimizer(optimizer: OptimizerKeeper): PersistedPart {
  return {
    key: 'optimizer',
    snapshot: () => optimizer.snapshot(),
    restore(saved, warn) {
      if (saved !== undefined) optimizer.restore(checkOptimizerSaved(saved, warn), warn);
    },
  };
}
