/**
 * A small typed event bus between subsystems. Listeners are registered under an owner so a
 * component can drop all of its listeners in one call when it stops; a throwing listener is logged
 * with its owner and event and never breaks the emitter or the other listeners.
 */
import { describeError } from './errors.js';
import type { Logger } from './logger.js';

type Listener<T> = (payload: T) => void;

interface Registration {
  owner: string;
  event: PropertyKey;
  fn: Listener<never>;
}

export class EventBus<Events extends object> {
  /** Listeners per event; arrays are replaced, never mutated, so emit can iterate without copying. */
  private readonly byEvent = new Map<PropertyKey, readonly Registration[]>();

  constructor(private readonly logger?: Logger) {}

  on<K extends keyof Events>(owner: string, event: K, fn: Listener<Events[K]>): void {
    this.byEvent.set(event, [...(this.byEvent.get(event) ?? []), { owner, event, fn: fn as Listener<never> }]);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const listeners = this.byEvent.get(event);
    if (!listeners) return;
    for (const r of listeners) {
      try {
        (r.fn as Listener<Events[K]>)(payload);
      } catch (err) {
        this.logger?.error(`Listener of ${r.owner} failed on event ${String(event)}: ${describeError(err)}`);
      }
    }
  }

  removeOwner(owner: string): void {
    for (const [event, list] of this.byEvent) this.byEvent.set(event, list.filter((r) => r.owner !== owner));
  }

  listenerCount(event: keyof Events): number {
    return this.byEvent.get(event)?.length ?? 0;
  }
}
