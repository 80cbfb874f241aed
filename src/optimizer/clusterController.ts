/**
 * What an adopted cluster does at run time: a change seen in one member (on a scheduled read)
 * triggers an immediate read of the other members, and the members are co-scheduled in the poller
 * so their registers share block reads. Triggered reads never cascade (a triggered read's change
 * does not trigger again) and a member read within `minGapMs` is not read again.
 */
import { describeError } from '../core/errors.js';
import type { EventBus } from '../core/eventBus.js';
import type { Logger } from '../core/logger.js';
import type { PollerView, Sample } from '../modbus/pollerTypes.js';

export interface AdoptedCluster {
  id: string;
  members: string[];
  score: number;
}

export interface ClusterControllerDeps {
  poller: Pick<PollerView, 'readNow' | 'setCompanions' | 'entityStatus'>;
  events: Pick<EventBus<{ sample: Sample }>, 'on' | 'removeOwner'>;
  logger: Logger;
  now: () => number;
  minGapMs?: number;
}

const OWNER = 'cluster-controller';

export function clusterIdOf(members: readonly string[]): string {
  return `cluster:${[...members].sort().join('+')}`;
}

export class ClusterController {
  private readonly adopted = new Map<string, AdoptedCluster>();
  private byMember = new Map<string, AdoptedCluster[]>();
  private readonly perEntity = new Map<string, { triggeredReads: number; savedAgeMs2: number }>();
  triggeredReads = 0;

  constructor(private readonly deps: ClusterControllerDeps) {}

  start(): void {
    this.deps.events.on(OWNER, 'sample', (s) => this.onSample(s));
  }

  stop(): void {
    this.deps.events.removeOwner(OWNER);
  }

  list(): AdoptedCluster[] {
    return [...this.adopted.values()];
  }

  has(id: string): boolean {
    return this.adopted.has(id);
  }

  adopt(cluster: AdoptedCluster): void {
    this.adopted.set(cluster.id, { ...cluster, members: [...cluster.members] });
    this.rebuild();
  }

  drop(id: string): AdoptedCluster | undefined {
    const gone = this.adopted.get(id);
    this.adopted.delete(id);
    this.rebuild();
    return gone;
  }

  /** Fraction of `entityCount` entities that belong to an adopted cluster. */
  coverage(entityCount: number): number {
    return entityCount > 0 ? this.byMember.size / entityCount : 0;
  }

  /**
   * Triggered reads of an entity and the staleness they removed: a triggered read that found a change
   * showed it s ms before the entity's next scheduled poll, which removes s²/2 of age·time (ms²).
   */
  triggerFigures(entityId: string): { triggeredReads: number; savedAgeMs2: number } {
    return this.perEntity.get(entityId) ?? { triggeredReads: 0, savedAgeMs2: 0 };
  }

  quality(): number {
    const all = this.list();
    return all.length ? all.reduce((sum, c) => sum + c.score, 0) / all.length : 0;
  }

  private rebuild(): void {
    const byMember = new Map<string, AdoptedCluster[]>();
    for (const c of this.adopted.values()) {
      for (const m of c.members) {
        const list = byMember.get(m);
        if (list) list.push(c);
        else byMember.set(m, [c]);
      }
    }
    this.byMember = byMember;
    this.deps.poller.setCompanions(this.list().map((c) => c.members));
  }

  private onSample(s: Sample): void {
    if (!s.changed || s.reason !== 'schedule') return;
    const clusters = this.byMember.get(s.entityId);
    if (!clusters) return;
    const now = this.deps.now();
    const gap = this.deps.minGapMs ?? 1000;
    const others = new Set(clusters.flatMap((c) => c.members).filter((m) => m !== s.entityId));
    for (const id of others) {
      const status = this.deps.poller.entityStatus(id);
      const last = status?.lastReadAt;
      if (last !== undefined && now - last < gap) continue;
      this.triggeredReads++;
      const figures = this.perEntity.get(id) ?? { triggeredReads: 0, savedAgeMs2: 0 };
      this.perEntity.set(id, figures);
      figures.triggeredReads++;
      const savedMs = last !== undefined && status ? Math.max(0, last + status.intervalMs - now) : 0;
      this.deps.poller.readNow(id)
        .then((sample) => {
          if (sample.changed) figures.savedAgeMs2 += (savedMs * savedMs) / 2;
        })
        .catch((err: unknown) => this.deps.logger.debug(`Triggered read of ${id} failed: ${describeError(err)}`));
    }
  }
}
