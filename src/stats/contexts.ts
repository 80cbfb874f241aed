/**
 * The context entities whose states split rates (sun up or down, heat pump running or not): their
 * current states, and which evidence bucket each state owns. States get buckets in order of first
 * sight, at most `maxStates` per entity; later states share the last bucket, so a context entity
 * with free-form states cannot grow memory.
 */
import type { ContextChange, ContextSource } from '../core/context.js';
import type { ContextLayout } from './regimes.js';

export interface ContextsJSON {
  entities: Array<{ entityId: string; states: string[]; current: string | null; shared: boolean }>;
}

interface Tracked {
  entityId: string;
  states: string[];
  current: string | undefined;
  offset: number;
  /** More states were seen than there are buckets: the last bucket holds them all. */
  shared: boolean;
}

export class ContextStates {
  private readonly tracked: Tracked[];
  /** layouts() as of the last new state (asked for on every analysis). */
  private layoutCache: ContextLayout[] | undefined;

  constructor(entityIds: readonly string[], private readonly maxStates: number, firstBucket: number) {
    this.tracked = entityIds.map((entityId, i) => ({ entityId, states: [], current: undefined, offset: firstBucket + i * maxStates, shared: false }));
  }

  /** Buckets used by all context entities together. */
  get bucketCount(): number {
    return this.tracked.length * this.maxStates;
  }

  entityIds(): string[] {
    return this.tracked.map((t) => t.entityId);
  }

  /** Takes the current states from a source (at start). */
  load(source: ContextSource): void {
    for (const t of this.tracked) {
      const state = source.current(t.entityId)?.state;
      if (state !== undefined) this.set(t.entityId, state);
    }
  }

  apply(change: ContextChange): void {
    this.set(change.entityId, change.state);
  }

  set(entityId: string, state: string): void {
    const t = this.tracked.find((x) => x.entityId === entityId);
    if (!t) return;
    t.current = state;
    if (t.states.includes(state)) return;
    if (t.states.length < this.maxStates) t.states.push(state);
    else t.shared = true;
    this.layoutCache = undefined;
  }

  current(entityId: string): string | undefined {
    return this.tracked.find((x) => x.entityId === entityId)?.current;
  }

  /** The bucket of each context entity's current state (unknown states contribute none). */
  currentBuckets(out: number[]): void {
    for (const t of this.tracked) {
      const b = this.bucketOf(t, t.current);
      if (b !== undefined) out.push(b);
    }
  }

  /** Bucket of a given state of a context entity. */
  bucketFor(entityId: string, state: string | undefined): number | undefined {
    const t = this.tracked.find((x) => x.entityId === entityId);
    return t ? this.bucketOf(t, state) : undefined;
  }

  layouts(): ContextLayout[] {
    this.layoutCache ??= this.tracked.map((t) => ({
      entityId: t.entityId, offset: t.offset,
      states: t.states.map((s, i) => (t.shared && i === this.maxStates - 1 ? `${s}|other` : s)),
    }));
    return this.layoutCache;
  }

  private bucketOf(t: Tracked, state: string | undefined): number | undefined {
    if (state === undefined) return undefined;
    const i = t.states.indexOf(state);
    return t.offset + (i >= 0 ? i : this.maxStates - 1);
  }

  toJSON(): ContextsJSON {
    return {
      entities: this.tracked.map((t) => ({ entityId: t.entityId, states: [...t.states], current: t.current ?? null, shared: t.shared })),
    };
  }

  /** Restores states of the entities still configured; true when the bucket layout is unchanged. */
  restore(json: ContextsJSON): boolean {
    const saved = json.entities.map((e) => e.entityId);
    for (const e of json.entities) {
      const t = this.tracked.find((x) => x.entityId === e.entityId);
      if (!t) continue;
      t.states = e.states.slice(0, this.maxStates);
      t.current = e.current ?? undefined;
      t.shared = e.shared;
      this.layoutCache = undefined;
    }
    const ids = this.entityIds();
    return saved.length === ids.length && saved.every((id, i) => id === ids[i]);
  }
}
