/**
 * Pattern strategy (priority 7, 12 h cooldown): proposes regimes — time-of-day or HA-context splits
 * the stats module found significant with confidence ≥ `pattern_stability_threshold` — for at most
 * `max_patterns` distinct splits (the ones with the most evidence), so those entities' intervals
 * follow their regime (PatternController), moves an entity to another split in one change when its
 * best split changed (time of day instead of sun.sun), and drops entities whose split is no longer
 * supported.
 * Each change carries the interval it sets with it (the regime's target), so applying, judging and
 * reverting a pattern moves the interval too.
 */
import type { StatsView } from '../stats/types.js';
import type { IntervalPoller } from './intervalChanges.js';
import type { AdoptedPattern, PatternController } from './patternController.js';
import type { Strategy, StrategyContext } from './strategy.js';
import type { Change, Evidence, StrategyResult } from './types.js';

export interface PatternStrategyDeps {
  stats: Pick<StatsView, 'entityIds' | 'regimes' | 'currentRegime'>;
  controller: PatternController;
  poller: IntervalPoller;
  /** Where the entities' intervals would go if they followed their regime (adopted) or not (dropped). */
  targetsMs: (entityIds: string[], followRegime: boolean) => Map<string, number>;
}

/** The state a pattern change moves between. */
export interface PatternSide {
  pattern: AdoptedPattern | null;
  intervalMs: number;
}

const HOUR = 3_600_000;
/** A split's confidence must move by more than this to reopen a lost move. */
const CONFIDENCE_TOLERANCE = 0.1;

interface Candidate {
  entityId: string;
  key: string;
  deltaBic: number;
  confidence: number;
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

  async propose(ctx: StrategyContext): Promise<StrategyResult> {
    const chosen = this.choose(ctx.parameters.pattern_stability_threshold ?? 0.6, ctx.parameters.max_patterns ?? 8, ctx.eligible);
    const c = this.deps.controller;
    // an entity whose best split changed key is one move from the old pattern to the new (its adopt
    // change carries the old one as `before`); only entities no split is chosen for any more are dropped
    const drops = c.list().filter((p) => ctx.eligible(p.entityId) && !chosen.has(p.entityId));
    const adopts = [...chosen.values()].filter((cand) => c.get(cand.entityId)?.key !== cand.key);
    const dropTargets = this.deps.targetsMs(drops.map((p) => p.entityId), false);
    const adoptTargets = this.deps.targetsMs(adopts.map((p) => p.entityId), true);
    const changes: Change[] = [];
    for (const p of drops) {
      changes.push(this.change(p.entityId, p, null, dropTargets.get(p.entityId), undefined));
    }
    for (const cand of adopts) {
      const pattern: AdoptedPattern = { entityId: cand.entityId, key: cand.key };
      changes.push(this.change(cand.entityId, c.get(cand.entityId) ?? null, pattern, adoptTargets.get(cand.entityId), cand.confidence));
    }
    const keys = new Set([...chosen.values()].map((x) => x.key));
    return {
      changes,
      summary: `${adopts.length} entities to follow ${keys.size} regime patterns (${[...keys].join(', ') || 'none'}); ${drops.length} to drop`,
    };
  }

  apply(change: Change): boolean {
    return this.move(change.target, change.before as PatternSide, change.after as PatternSide);
  }

  /** Undoes the adoption or drop and puts the interval back (regime switches since then included). */
  revert(change: Change): boolean {
    return this.move(change.target, change.after as PatternSide, change.before as PatternSide);
  }

  /** From one side to the other, while the entity still follows what `from` says. */
  private move(entityId: string, from: PatternSide, to: PatternSide): boolean {
    const c = this.deps.controller;
    if ((c.get(entityId)?.key ?? null) !== (from.pattern?.key ?? null)) return false;
    if (to.pattern) c.adopt(to.pattern);
    else c.drop(entityId);
    this.deps.poller.setIntervalMs(entityId, to.intervalMs);
    return true;
  }

  private change(entityId: string, from: AdoptedPattern | null, to: AdoptedPattern | null, targetMs: number | undefined, confidence: number | undefined): Change {
    const current = this.deps.poller.intervalMs(entityId) ?? 0;
    const evidence: Evidence | undefined = confidence === undefined ? undefined
      : { value: confidence, lower: confidence - CONFIDENCE_TOLERANCE, upper: confidence + CONFIDENCE_TOLERANCE };
    return {
      kind: 'pattern', target: entityId, entities: [entityId], evidence,
      before: { pattern: from, intervalMs: current } satisfies PatternSide,
      after: { pattern: to, intervalMs: targetMs ?? current } satisfies PatternSide,
    };
  }

  /** Significant, stable splits, limited to the `maxPatterns` split keys with the most evidence. */
  private choose(threshold: number, maxPatterns: number, eligible: (id: string) => boolean): Map<string, Candidate> {
    const candidates: Candidate[] = [];
    for (const id of this.deps.stats.entityIds()) {
      if (!eligible(id)) continue;
      // a cheap screen first: only entities in a significant regime get the full report
      if ((this.deps.stats.currentRegime(id)?.kind ?? 'none') === 'none') continue;
      const best = this.deps.stats.regimes(id)?.best;
      if (!best?.significant || best.confidence < threshold) continue;
      candidates.push({ entityId: id, key: `${best.kind}:${best.key}`, deltaBic: best.deltaBic, confidence: best.confidence });
    }
    const evidence = new Map<string, number>();
    for (const c of candidates) evidence.set(c.key, (evidence.get(c.key) ?? 0) + c.deltaBic);
    const keys = new Set([...evidence].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, maxPatterns).map(([k]) => k));
    return new Map(candidates.filter((c) => keys.has(c.key)).map((c) => [c.entityId, c]));
  }
}
