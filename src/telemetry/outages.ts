/**
 * When a value counts as unavailable: its reads have kept failing (at least twice) for longer than a
 * grace period — one failed read is not an outage — and it is back with its next good sample. One
 * rule for every face (REST states, MQTT availability), so they agree on what "unavailable" means.
 * An entity set to keep its last value (a sleeping inverter's daily total) never goes unavailable.
 */
import type { ReadFailure } from '../modbus/pollerTypes.js';

export class OutageTracker {
  private readonly failingSince = new Map<string, number>();
  private readonly down = new Set<string>();

  /** `keepsLastValue`: entities that stay available with their last value however long reads fail (when_silent: last_value). */
  constructor(private readonly unavailableAfterMs: number, private readonly keepsLastValue: (entityId: string) => boolean = () => false) {}

  /** A good sample; true when the entity was unavailable until now. */
  onSample(entityId: string): boolean {
    this.failingSince.delete(entityId);
    return this.down.delete(entityId);
  }

  /** A failed read; true when this failure makes the entity unavailable (also while it stays so). */
  onReadError(f: ReadFailure): boolean {
    const since = this.failingSince.get(f.entityId) ?? f.at;
    this.failingSince.set(f.entityId, since);
    if (f.consecutiveErrors >= 2 && f.at - since >= this.unavailableAfterMs && !this.keepsLastValue(f.entityId)) {
      this.down.add(f.entityId);
      return true;
    }
    return false;
  }

  isDown(entityId: string): boolean {
    return this.down.has(entityId);
  }
}
