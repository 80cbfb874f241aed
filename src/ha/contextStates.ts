/**
 * Home Assistant context states (option `context_entities`, e.g. `sun.sun`) for the optimizer's
 * pattern strategy: the current state of each and when it last changed, behind the ContextSource
 * interface, fed by a filtered `subscribe_entities` subscription. Each state change is reported
 * once (the full re-send after a reconnect reports only what changed while we were away).
 */
import type { Clock } from '../core/clock.js';
import type { ContextChange, ContextSource, ContextState } from '../core/context.js';
import type { Logger } from '../core/logger.js';
import { applyCompressed, type EntitySnapshot } from './compressedStates.js';

export interface HaContextDeps {
  entityIds: readonly string[];
  clock: Clock;
  logger: Logger;
  onChange: (change: ContextChange) => void;
}

export class HaContext implements ContextSource {
  private readonly snapshots = new Map<string, EntitySnapshot>();
  private readonly states = new Map<string, ContextState>();
  private checkedMissing = false;

  constructor(private readonly deps: HaContextDeps) {}

  watched(): string[] {
    return [...this.deps.entityIds];
  }

  current(entityId: string): ContextState | undefined {
    const s = this.states.get(entityId);
    return s ? { ...s } : undefined;
  }

  /** The websocket message that subscribes to the watched entities. */
  subscription(): { type: string; entity_ids: string[] } {
    return { type: 'subscribe_entities', entity_ids: this.watched() };
  }

  /** Handles one `subscribe_entities` event. */
  handle(message: unknown): void {
    const changes = applyCompressed(this.snapshots, message, this.deps.clock.now());
    for (const { entityId, after } of changes) {
      if (!this.deps.entityIds.includes(entityId)) continue;
      const previous = this.states.get(entityId)?.state;
      if (!after) {
        this.states.delete(entityId);
        this.deps.logger.warn(`Context entity ${entityId} was removed from Home Assistant`);
        continue;
      }
      if (previous === after.state) continue;
      this.states.set(entityId, { entityId, state: after.state, lastChanged: after.lastChanged });
      this.deps.logger.debug(`Context ${entityId}: ${previous ?? '(none)'} → ${after.state}`);
      this.deps.onChange({ entityId, state: after.state, previous, at: after.lastChanged });
    }
    if (!this.checkedMissing) {
      this.checkedMissing = true;
      const missing = this.deps.entityIds.filter((id) => !this.snapshots.has(id));
      if (missing.length > 0) this.deps.logger.warn(`context_entities not found in Home Assistant: ${missing.join(', ')}`);
    }
  }
}
