/**
 * Joins the app's view to the ground truth: every true change on a device and every value the app
 * hands to Home Assistant go into one FreshnessTracker per entity. A reading is shown in HA when the
 * poller publishes its sample (that is when the publisher posts it), with the value the device had
 * when the request that carried it was served — which the virtual bus tells us request by request.
 * HA state writes are counted as an idempotent publisher makes them: the first value, then changes.
 */
import type { Clock } from '../core/clock.js';
import { FreshnessTracker, type EntityFreshness } from '../metrics/freshness.js';
import type { Sample } from '../modbus/pollerTypes.js';
import type { ReadRequest } from '../modbus/transport.js';
import { FUNCTION_OF, type EntityDef } from '../modbus/types.js';
import type { SimSite } from './groundTruth.js';

interface Span {
  address: number;
  end: number;
  id: string;
}

interface Reading {
  readAt: number;
  value: number;
}

export class FreshnessRecorder {
  private readonly trackers = new Map<string, FreshnessTracker>();
  /** Per "bus|unit|fn": entity spans sorted by address. */
  private readonly spans = new Map<string, Span[]>();
  private readonly readings = new Map<string, Reading>();
  private readonly published = new Set<string>();
  private writes = 0;
  private closed = false;

  constructor(
    private readonly site: SimSite, private readonly clock: Clock,
    entities: readonly EntityDef[], busOf: (def: EntityDef) => string,
  ) {
    const start = clock.now();
    for (const def of entities) {
      this.trackers.set(def.id, new FreshnessTracker(def.id, start, site.initialValue(def.id)));
      const key = `${busOf(def)}|${def.unitId}|${FUNCTION_OF[def.registerType]}`;
      const list = this.spans.get(key) ?? [];
      list.push({ address: def.address, end: def.address + def.count, id: def.id });
      this.spans.set(key, list);
    }
    for (const list of this.spans.values()) list.sort((a, b) => a.address - b.address);
    site.onChange((id, t, value) => {
      if (!this.closed) this.trackers.get(id)?.change(t, value);
    });
  }

  /** A request the device served successfully at `at`: the entities it covers were read then. */
  onRequest(bus: string, req: ReadRequest, at: number, exception: number | undefined): void {
    if (exception !== undefined || this.closed) return;
    const list = this.spans.get(`${bus}|${req.unitId}|${req.fn}`);
    if (!list) return;
    const end = req.address + req.count;
    for (let i = firstAtOrAfter(list, req.address); i < list.length; i++) {
      const span = list[i] as Span;
      if (span.address >= end) break;
      if (span.end <= end) this.readings.set(span.id, { readAt: at, value: this.site.valueAt(span.id, at) });
    }
  }

  /** The poller published a sample: HA shows it from now. */
  onSample(sample: Sample): void {
    const tracker = this.trackers.get(sample.entityId);
    const reading = this.readings.get(sample.entityId);
    if (this.closed || !tracker || !reading) return;
    const now = this.clock.now();
    this.site.valueAt(sample.entityId, now); // every change up to now reaches the tracker first
    tracker.show(now, reading.readAt, reading.value);
    if (sample.changed || !this.published.has(sample.entityId)) this.writes++;
    this.published.add(sample.entityId);
  }

  /**
   * Starts the measurement window at `at` (after a warm-up): every entity starts fresh from what HA
   * shows then; a device value HA does not show yet counts as a change at `at` (so an entity that is
   * stale at the boundary is charged from the boundary on, never more).
   */
  reset(at: number): void {
    this.site.advanceAll(at);
    for (const [id, old] of this.trackers) {
      const { shown, device } = old.values();
      const fresh = new FreshnessTracker(id, at, shown);
      if (device !== shown) fresh.change(at, device);
      this.trackers.set(id, fresh);
    }
    this.writes = 0;
  }

  stateWrites(): number {
    return this.writes;
  }

  /** Closes the window at `endMs` (the clock's now) and returns every entity's figures. */
  finish(endMs: number): EntityFreshness[] {
    this.site.advanceAll(endMs);
    this.closed = true;
    return [...this.trackers.values()].map((t) => t.finish(endMs));
  }
}

function firstAtOrAfter(list: readonly Span[], address: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid]?.address ?? 0) < address) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
