/**
 * Keeps a bounded ring of periodic snapshots (cumulative bus counters plus the instantaneous
 * staleness estimate and cluster/pattern figures) so the loop can compute the metrics of any recent
 * window after the fact. This is what makes evaluation honest: "before" and "after" are measured
 * over equal-length windows, not read the instant after a change.
 */
import { repeat, type Clock, type Repeating } from '../core/clock.js';
import type { WindowMetrics } from './types.js';

export interface Snapshot {
  at: number;
  /** Cumulative counters. */
  requests: number;
  errors: number;
  modelledBusMs: number;
  /** Instantaneous figures. */
  stalenessMs: number;
  clusterCoverage: number;
  clusterQuality: number;
  patternConfidence: number;
  predictionAccuracy: number | undefined;
}

export interface MetricsRecorderDeps {
  clock: Clock;
  read: () => Omit<Snapshot, 'at'>;
  sampleEveryMs?: number;
  capacity?: number;
}

export class MetricsRecorder {
  private readonly ring: Snapshot[] = [];
  private ticking: Repeating | undefined;

  constructor(private readonly deps: MetricsRecorderDeps) {}

  start(): void {
    this.record();
    this.ticking = repeat(this.deps.clock, this.deps.sampleEveryMs ?? 60_000, () => this.record());
  }

  stop(): void {
    this.ticking?.stop();
    this.ticking = undefined;
  }

  /** Takes a snapshot now (also called right before a change is applied). */
  record(): Snapshot {
    const snap = { ...this.deps.read(), at: this.deps.clock.now() };
    const last = this.ring.at(-1);
    if (last && last.at === snap.at) this.ring[this.ring.length - 1] = snap;
    else this.ring.push(snap);
    if (this.ring.length > (this.deps.capacity ?? 4320)) this.ring.shift();
    return snap;
  }

  /** Metrics over [fromMs, toMs]; undefined when snapshots cover less than half of it. */
  window(fromMs: number, toMs: number): WindowMetrics | undefined {
    const inside = this.ring.filter((s) => s.at >= fromMs && s.at <= toMs);
    const first = inside[0];
    const last = inside.at(-1);
    if (!first || !last || last.at - first.at < (toMs - fromMs) / 2) return undefined;
    const spanMs = last.at - first.at;
    const requests = last.requests - first.requests;
    const mean = (f: (s: Snapshot) => number) => inside.reduce((sum, s) => sum + f(s), 0) / inside.length;
    const accuracies = inside.map((s) => s.predictionAccuracy).filter((a): a is number => a !== undefined);
    return {
      fromMs, toMs,
      requestsPerMin: (requests / spanMs) * 60_000,
      busUtilisation: (last.modelledBusMs - first.modelledBusMs) / spanMs,
      errorRate: requests > 0 ? (last.errors - first.errors) / requests : 0,
      stalenessMs: mean((s) => s.stalenessMs),
      clusterCoverage: mean((s) => s.clusterCoverage),
      clusterQuality: mean((s) => s.clusterQuality),
      patternConfidence: mean((s) => s.patternConfidence),
      predictionAccuracy: accuracies.length ? accuracies.reduce((a, b) => a + b, 0) / accuracies.length : undefined,
    };
  }

  /** Time of the oldest snapshot kept. */
  earliest(): number | undefined {
    return this.ring[0]?.at;
  }

  latest(): Snapshot | undefined {
    return this.ring.at(-1);
  }

}
