/**
 * Feeds a site's HA context states (`sun.sun`, machines' running sensors) into a SettableContext at
 * the exact virtual times they change, as the HA websocket would in production, and tells listeners
 * (the oracle policy re-allocates on them) about each change.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { ContextChange, SettableContext } from '../core/context.js';
import type { SimSite } from './groundTruth.js';

export type ContextListener = (change: ContextChange) => void;

export class ContextFeed {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly listeners: ContextListener[] = [];

  constructor(private readonly deps: { clock: Clock; site: SimSite; context: SettableContext }) {}

  onChange(listener: ContextListener): void {
    this.listeners.push(listener);
  }

  /** Sets every context entity's current state and arms a timer for its next change. */
  start(): void {
    for (const id of this.deps.context.watched()) this.update(id);
  }

  stop(): void {
    for (const handle of this.timers.values()) this.deps.clock.clearTimer(handle);
    this.timers.clear();
  }

  private update(entityId: string): void {
    const { clock, site, context } = this.deps;
    const now = clock.now();
    const state = site.contextStateAt(entityId, now);
    const change = state === undefined ? undefined : context.set(entityId, state, now);
    if (change) for (const l of this.listeners) l(change);
    const next = site.nextContextChange(entityId, now);
    if (Number.isFinite(next)) this.timers.set(entityId, clock.setTimer(() => this.update(entityId), next - now));
  }
}
