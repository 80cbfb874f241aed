/**
 * What an adopted pattern does at run time: the entity's interval follows its regime. When the time
 * of day crosses a segment boundary or a context entity (e.g. sun.sun, a heat pump's state) changes,
 * entities whose current regime changed are re-targeted at once with the new regime's rate, instead
 * of waiting for the next optimization cycle. Each switch is one audit record.
 */
import { repeat, type Clock, type Repeating } from '../core/clock.js';
import type { ContextChange } from '../core/context.js';
import type { EventBus } from '../core/eventBus.js';
import type { StatsView } from '../stats/types.js';
import type { Change } from './types.js';

export interface AdoptedPattern {
  entityId: string;
  /** The split it follows, e.g. "timeOfDay:time_of_day" or "context:sun.sun". */
  key: string;
}

export interface PatternControllerDeps {
  clock: Clock;
  stats: Pick<StatsView, 'currentRegime'>;
  events: Pick<EventBus<{ contextChanged: ContextChange }>, 'on' | 'removeOwner'>;
  /** Moves the given entities to their regime-aware targets; returns the changes made. */
  retarget: (entityIds: string[]) => Change[];
  audit: (what: string, before: unknown, after: unknown) => void;
  checkEveryMs?: number;
}

const OWNER = 'pattern-controller';

export class PatternController {
  private readonly adopted = new Map<string, AdoptedPattern>();
  private readonly lastLabel = new Map<string, string>();
  private ticking: Repeating | undefined;
  switches = 0;

  constructor(private readonly deps: PatternControllerDeps) {}

  start(): void {
    this.deps.events.on(OWNER, 'contextChanged', () => this.check());
    this.ticking = repeat(this.deps.clock, this.deps.checkEveryMs ?? 60_000, () => this.check());
  }

  stop(): void {
    this.deps.events.removeOwner(OWNER);
    this.ticking?.stop();
    this.ticking = undefined;
  }

  list(): AdoptedPattern[] {
    return [...this.adopted.values()];
  }

  get(entityId: string): AdoptedPattern | undefined {
    return this.adopted.get(entityId);
  }

  follows(entityId: string): boolean {
    return this.adopted.has(entityId);
  }

  adopt(p: AdoptedPattern): void {
    this.adopted.set(p.entityId, { ...p });
    this.lastLabel.set(p.entityId, this.deps.stats.currentRegime(p.entityId)?.label ?? '');
  }

  drop(entityId: string): void {
    this.adopted.delete(entityId);
    this.lastLabel.delete(entityId);
  }

  /** Mean confidence of the adopted entities' current regimes (0 when none). */
  confidence(): number {
    const values = this.list().map((p) => this.deps.stats.currentRegime(p.entityId)?.confidence ?? 0);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  }

  /** Moves the given adopted entities to their regime targets now (used right after adoption). */
  retargetNow(entityIds: string[]): Change[] {
    return this.deps.retarget(entityIds.filter((id) => this.adopted.has(id)));
  }

  /** Re-targets entities whose regime changed since the last check; returns the interval changes. */
  check(): Change[] {
    const switched: string[] = [];
    const labels: Record<string, string> = {};
    const previous: Record<string, string> = {};
    for (const p of this.adopted.values()) {
      const label = this.deps.stats.currentRegime(p.entityId)?.label ?? '';
      if (label === this.lastLabel.get(p.entityId)) continue;
      previous[p.entityId] = this.lastLabel.get(p.entityId) ?? '';
      labels[p.entityId] = label;
      this.lastLabel.set(p.entityId, label);
      switched.push(p.entityId);
    }
    if (switched.length === 0) return [];
    this.switches++;
    const changes = this.deps.retarget(switched);
    this.deps.audit(`pattern: regime switch for ${switched.length} entities, ${changes.length} intervals moved`,
      { regimes: previous, intervals: Object.fromEntries(changes.map((c) => [c.target, c.before])) },
      { regimes: labels, intervals: Object.fromEntries(changes.map((c) => [c.target, c.after])) });
    return changes;
  }

}
