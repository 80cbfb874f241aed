/**
 * A freshness signal that does not come from the learned rates. Every freshness figure the optimizer
 * computes is a model: expected age from the change rates it estimated itself. Audit reads check the
 * model against the device: at random times (exponential gaps, so they see every phase of every poll
 * cycle alike) one random entity is read out of turn, and whether the device's value differs from the
 * one shown is noted. The share of audits that find a difference estimates the time-share of stale
 * values directly (DESIGN.md, freshness metrics); beside it, the share the model predicted for the
 * same audits. A small fixed rate keeps the cost bounded, and an audit is skipped when it would take
 * the bus past what the goal allows; the value found is published like any read.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Random } from '../core/random.js';
import { staleShare } from '../metrics/ageModel.js';
import type { PollerView } from '../modbus/pollerTypes.js';

export interface AuditReadsDeps {
  clock: Clock;
  random: Random;
  poller: Pick<PollerView, 'entityIds' | 'entityStatus' | 'readNow'>;
  /** The learned change rate per ms in the entity's current regime; undefined while unknown. */
  ratePerMs: (entityId: string) => number | undefined;
  /** Mean gap between audits (ms). */
  everyMs: number;
  /**
   * Whether auditing this entity now keeps within the goal (an audit a gap costs one single read):
   * under save_bus audits come out of what the optimizer saved, never on top of the configured load.
   */
  mayAudit: (entityId: string) => boolean;
}

export interface AuditFigures {
  audits: number;
  /** Audits that found the device's value different from the one shown. */
  stale: number;
  /** stale / audits: the measured time-share of stale values. */
  measuredStaleShare: number | null;
  /** What the learned rates predicted for the same audits (mean of each audited entity's stale share). */
  modelStaleShare: number | null;
  /** Audits of entities whose rate was still unknown (left out of the model's share). */
  unmodelled: number;
}

export class AuditReads {
  private timer: TimerHandle | undefined;
  private running = false;
  private audits = 0;
  private stale = 0;
  private predicted = 0;
  private modelled = 0;

  constructor(private readonly deps: AuditReadsDeps) {}

  start(): void {
    if (this.running || this.deps.everyMs <= 0) return;
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  figures(): AuditFigures {
    return {
      audits: this.audits, stale: this.stale,
      measuredStaleShare: this.audits > 0 ? this.stale / this.audits : null,
      modelStaleShare: this.modelled > 0 ? this.predicted / this.modelled : null,
      unmodelled: this.audits - this.modelled,
    };
  }

  private arm(): void {
    const gap = -Math.log(1 - this.deps.random()) * this.deps.everyMs;
    this.timer = this.deps.clock.setTimer(() => { void this.audit().finally(() => { if (this.running) this.arm(); }); }, Math.max(1, gap));
  }

  /** One audit: a random entity that has been read, read again now, compared with what was shown. */
  private async audit(): Promise<void> {
    const ids = this.deps.poller.entityIds();
    const id = ids[Math.floor(this.deps.random() * ids.length)];
    const before = id === undefined ? undefined : this.deps.poller.entityStatus(id);
    if (id === undefined || before?.lastReadAt === undefined || !this.deps.mayAudit(id)) return;
    const shown = before.lastValue;
    const rate = this.deps.ratePerMs(id);
    let sample;
    try {
      sample = await this.deps.poller.readNow(id);
    } catch {
      return; // a failed read says nothing about freshness
    }
    this.audits++;
    if (sample.value !== shown) this.stale++;
    if (rate !== undefined) {
      this.modelled++;
      this.predicted += rate > 0 ? staleShare(before.intervalMs, rate) : 0;
    }
  }
}
