/**
 * When a value counts as unavailable: its reads have kept failing (at least twice) for longer than a
 * grace period — one failed read is not an outage — and it is back with its next good sample. One
 * rule for every face (REST states, MQTT availability), so they agree on what "unavailable" means.
 */
import type { ReadFailure } from '../modbus/pollerTypes.js';

export class OutageTracker {
  private readonly failingSince = new Map<string, number>();
  private readonly down = new Set<string>();

  constructor(private readonly unavailableAfterMs: number) {}

  /** A good sample; true when the entity was unavailable until now. */
  onSample(entityId: string): boolean {
    this.failingSince.delete(entityId);
    return this.down.delete(entityId);
  }

  /** A failed read; true when this failure makes the entity unavailable (also while it stays so). */
  onReadError(f: ReadFailure): boolean {
    const since = this.failingSince.get(f.entityId) ?? f.at;
    this.failingSince.set(f.entityId, since);
    if (f.consecutiveErrors >= 2 && f.at - since >= this.unavailableAfterMs) {
      this.down.add(f.entityId);
      return true;
    }
    return false;
  }

  isDown(entityId: string): boolean {
    return this.down.has(entityId);
  }
}
