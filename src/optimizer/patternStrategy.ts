/**
 * Pattern strategy (priority 7, 12 h cooldown): adopts regimes — time-of-day or HA-context splits
 * the stats module found significant with confidence ≥ `pattern_stability_threshold` — for at most
 * `max_patterns` distinct splits (the ones with the most evidence), so those entities' intervals
 * follow their regime (PatternController). Entities whose split is no longer supported are dropped.
 * Adoption re-targets the entities at once; those interval moves belong to the same record, so a
 * rollback restores them too.
 */
import type { StatsView } from '../stats/types.js';
import { revertInterval, type IntervalPoller } from './intervalChanges.js';
import type { AdoptedPattern, PatternController } from './patternController.js';
import { objectiveScore, type ScoringReference } from './scoring.js';
import type { Strategy, StrategyContext } from './strategy.js';
import type { Change, StrategyResult, WindowMetrics } from './types.js';

export interface PatternStrategyDeps {
  stats: Pick<StatsView, 'entityIds' | 'regimes' | 'currentRegime'>;
  controller: PatternController;
  poller: IntervalPoller;
  reference: () => ScoringReference;
}

const HOUR = 3_600_000;

interface Candidate {
  entityId: string;
  key: string;
  deltaBic: number;
}

export class PatternStrategy implements Strategy {
  readonly name = 'pattern';
  readonly priority = 7;
  readonly impactLevel = 'medium' as const;
  readonly cooldownMs = 12 * HOUR;
  readonly parameterSpecs = [
    { name: 'max_patterns', min: 1, max: 100, integer: true, description: 'distinct regime splits adopted at most' },
    { name: 'pattern_stability_threshold', min: 0, max: 1, description: 'confidence a split needs' },
  ];
  readonly defaults = { max_patterns: 8, pattern_stability_threshold: 0.6 };

  constructor(private readonly deps: PatternStrategyDeps) {}

  async apply(ctx: StrategyContext): Promise<StrategyResult> {
    const chosen = this.choose(ctx.parameters.pattern_stability_threshold ?? 0.6, ctx.parameters.max_patterns ?? 8);
    const c = this.deps.controller;
    const changes: Change[] = [];
    for (const p of c.list()) {
      if (chosen.get(p.entityId)?.key === p.key) continue;
      c.drop(p.entityId);
      changes.push({ kind: 'pattern', target: p.entityId, before: p, after: null });
    }
    for (const cand of chosen.values()) {
      if (c.get(cand.entityId)?.key === cand.key) continue;
      const pattern: AdoptedPattern = { entityId: cand.entityId, key: cand.key };
      c.adopt(pattern);
      changes.push({ kind: 'pattern', target: cand.entityId, before: null, after: pattern });
    }
    const adoptedIds = changes.filter((x) => x.after !== null).map((x) => x.target);
    const moved = adoptedIds.length ? c.retargetNow(adoptedIds) : [];
    const keys = new Set([...chosen.values()].map((x) => x.key));
    return {
      changes: [...changes, ...moved],
      summary: `${adoptedIds.length} entities now follow ${keys.size} regime patterns (${[...keys].join(', ') || 'none'}); ${changes.length - adoptedIds.length} dropped`,
    };
  }

  evaluate(before: WindowMetrics, after: WindowMetrics): number {
    return objectiveScore(before, after, this.deps.reference());
  }

  revert(change: Change): boolean {
    if (change.kind === 'interval') return revertInterval(this.deps.poller, change);
    const c = this.deps.controller;
    if (change.after === null) {
      if (c.follows(change.target)) return false;
      c.adopt(change.before as AdoptedPattern);
      return true;
    }
    if (c.get(change.target)?.key !== (change.after as AdoptedPattern).key) return false;
    c.drop(change.target);
    return true;
  }

  /** Significant, stable splits, limited to the `maxPatterns` split keys with the most evidence. */
  private choose(threshold: number, maxPatterns: number): Map<string, Candidate> {
    const candidates: Candidate[] = [];
    for (const id of this.deps.stats.entityIds()) {
      // a cheap screen first: only entities in a significant regime get the full report
      if ((this.deps.stats.currentRegime(id)?.kind ?? 'none') === 'none') continue;
      const best = this.deps.stats.regimes(id)?.best;
      if (!best?.significant || best.confidence < threshold) continue;
      candidates.push({ entityId: id, key: `${best.kind}:${best.key}`, deltaBic: best.deltaBic });
    }
    const evidence = new Map<string, number>();
    for (const c of candidates) evidence.set(c.key, (evidence.get(c.key) ?? 0) + c.deltaBic);
    const keys = new Set([...evidence].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, maxPatterns).map(([k]) => k));
    return new Map(candidates.filter((c) => keys.has(c.key)).map((c) => [c.entityId, c]));
  }
}
