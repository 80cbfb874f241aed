/**
 * Cluster strategy (priority 6, 24 h cooldown): adopts the co-change clusters the stats module finds
 * (`correlation_threshold`, `min_cluster_size`, `max_cluster_size`) and drops adopted clusters the
 * evidence no longer supports. Adoption means triggered reads and co-scheduling (ClusterController).
 * It claims the members of the clusters it would adopt, so a full cycle keeps them out of the interval
 * strategy's experiments (reservations.ts).
 */
import type { Cluster, ClusterParams, StatsView } from '../stats/types.js';
import { clusterIdOf, type AdoptedCluster, type ClusterController } from './clusterController.js';
import type { Strategy, StrategyContext } from './strategy.js';
import type { Change, Parameters, StrategyResult } from './types.js';

export interface ClusterStrategyDeps {
  stats: Pick<StatsView, 'clusters'>;
  controller: ClusterController;
}

const DAY = 86_400_000;

export class ClusterStrategy implements Strategy {
  readonly name = 'cluster';
  readonly priority = 6;
  readonly impactLevel = 'low' as const;
  readonly cooldownMs = DAY;
  readonly parameterSpecs = [
    { name: 'correlation_threshold', min: 0, max: 1, description: 'co-change score a cluster needs' },
    { name: 'min_cluster_size', min: 2, max: 100, integer: true, description: 'fewest members' },
    { name: 'max_cluster_size', min: 2, max: 100, integer: true, description: 'most members' },
  ];
  readonly defaults = { correlation_threshold: 0.6, min_cluster_size: 2, max_cluster_size: 20 };

  constructor(private readonly deps: ClusterStrategyDeps) {}

  /** Members of the clusters `propose` would adopt. */
  claims(ctx: StrategyContext): string[] {
    return this.toAdopt(ctx, this.found(ctx)).flatMap((c) => c.members);
  }

  async propose(ctx: StrategyContext): Promise<StrategyResult> {
    const found = this.found(ctx);
    const wanted = new Set(found.map((c) => clusterIdOf(c.members)));
    const changes: Change[] = [];
    for (const old of this.deps.controller.list()) {
      if (wanted.has(old.id) || !free(ctx, old.members)) continue;
      changes.push({ kind: 'cluster', target: old.id, before: old, after: null, entities: [...old.members], evidence: evidenceOf(old.score) });
    }
    const adopt = this.toAdopt(ctx, found);
    for (const cluster of adopt) {
      changes.push({ kind: 'cluster', target: cluster.id, before: null, after: cluster, entities: [...cluster.members], evidence: evidenceOf(cluster.score) });
    }
    return { changes, summary: `${adopt.length} clusters adopted, ${changes.length - adopt.length} dropped (${found.length} found)` };
  }

  private found(ctx: StrategyContext): Cluster[] {
    return this.deps.stats.clusters(clusterParamsOf(ctx.parameters));
  }

  /** Found clusters not adopted yet whose members are all free. */
  private toAdopt(ctx: StrategyContext, found: readonly Cluster[]): AdoptedCluster[] {
    return found.map(adoptedOf).filter((c) => !this.deps.controller.has(c.id) && free(ctx, c.members));
  }

  apply(change: Change): boolean {
    const c = this.deps.controller;
    if (change.after === null) {
      if (!c.has(change.target)) return false;
      c.drop(change.target);
      return true;
    }
    if (c.has(change.target)) return false;
    c.adopt(change.after as AdoptedCluster);
    return true;
  }

  revert(change: Change): boolean {
    const c = this.deps.controller;
    if (change.after === null) {
      if (c.has(change.target)) return false;
      c.adopt(change.before as AdoptedCluster);
      return true;
    }
    if (!c.has(change.target)) return false;
    c.drop(change.target);
    return true;
  }
}

/** The stats module's cluster search for the strategy's parameters (also what the bench scores detection with). */
export function clusterParamsOf(p: Readonly<Parameters>): ClusterParams {
  const minSize = p.min_cluster_size ?? 2;
  return { threshold: p.correlation_threshold ?? 0.6, minSize, maxSize: Math.max(minSize, p.max_cluster_size ?? 20) };
}

const free = (ctx: StrategyContext, members: readonly string[]) => members.every((m) => ctx.eligible(m));

/** A cluster's co-change score is the evidence; it must move by more than this to reopen a lost move. */
const SCORE_TOLERANCE = 0.1;

function evidenceOf(score: number) {
  return { value: score, lower: score - SCORE_TOLERANCE, upper: score + SCORE_TOLERANCE };
}

function adoptedOf(c: Cluster): AdoptedCluster {
  return { id: clusterIdOf(c.members), members: [...c.members].sort(), score: c.score };
}
