/**
 * One entity's rate evidence as sufficient statistics, so a sample costs O(1) and memory stays fixed
 * however long the app runs: polls pooled by interval (a few log-spaced slots for the headline rate)
 * and one pooled group per regime bucket (hour of day, state of each context entity), each with
 * the counter statistics (value increase, exposure) next to it. Weights arrive already decayed
 * (see decay.ts), so old evidence fades without touching the stored numbers.
 */
import type { PollGroup } from './censoredRate.js';

/** Numbers per slot: changed weight, changed interval sum, unchanged weight, unchanged interval sum. */
const SLOT = 4;
/** Numbers per bucket: a PollGroup plus value increase and counter exposure. */
export const BUCKET_STRIDE = 6;
/** Slots are 2^(1/4) (≈ 19 %) wide in interval. */
const KEYS_PER_OCTAVE = 4;

export interface Observation {
  /** Interval since the previous read (ms). */
  T: number;
  changed: boolean;
  /** Decayed weight of this poll. */
  w: number;
  /** Value increase since the previous read, NaN when not a counter step (non-numeric, reset). */
  delta: number;
}

export interface EvidenceJSON {
  keys: number[];
  slots: number[];
  counter: [number, number];
  buckets: number[];
}

export class Evidence {
  private keys: number[] = [];
  private slots: Float64Array;
  private inc = 0;
  private exposure = 0;
  private readonly buckets: Float64Array;

  constructor(private readonly maxSlots: number, bucketCount: number) {
    this.slots = new Float64Array(maxSlots * SLOT);
    this.buckets = new Float64Array(bucketCount * BUCKET_STRIDE);
  }

  /** Adds one poll to the interval slots and to each listed bucket. */
  observe(o: Observation, bucketIndexes: readonly number[]): void {
    const s = this.slotFor(o.T) * SLOT;
    const off = o.changed ? 0 : 2;
    this.slots[s + off] = (this.slots[s + off] ?? 0) + o.w;
    this.slots[s + off + 1] = (this.slots[s + off + 1] ?? 0) + o.w * o.T;
    const counted = Number.isFinite(o.delta);
    if (counted) {
      this.inc += o.w * o.delta;
      this.exposure += o.w * o.T;
    }
    for (const b of bucketIndexes) {
      const i = b * BUCKET_STRIDE;
      if (i < 0 || i >= this.buckets.length) continue;
      const bk = this.buckets;
      bk[i + off] = (bk[i + off] ?? 0) + o.w;
      bk[i + off + 1] = (bk[i + off + 1] ?? 0) + o.w * o.T;
      if (counted) {
        bk[i + 4] = (bk[i + 4] ?? 0) + o.w * o.delta;
        bk[i + 5] = (bk[i + 5] ?? 0) + o.w * o.T;
      }
    }
  }

  /** The interval slots as poll groups, scaled by `f` (the decay factor for "now"). */
  groups(f = 1): PollGroup[] {
    const out: PollGroup[] = [];
    for (let k = 0; k < this.keys.length; k++) out.push(readGroup(this.slots, k * SLOT, f));
    return out;
  }

  /** Value increase and counter exposure over all polls, scaled by `f`. */
  counter(f = 1): { inc: number; exposure: number } {
    return { inc: this.inc * f, exposure: this.exposure * f };
  }

  bucketGroup(b: number, f = 1): PollGroup {
    return readGroup(this.buckets, b * BUCKET_STRIDE, f);
  }

  bucketCounter(b: number, f = 1): { inc: number; exposure: number } {
    const i = b * BUCKET_STRIDE;
    return { inc: (this.buckets[i + 4] ?? 0) * f, exposure: (this.buckets[i + 5] ?? 0) * f };
  }

  /** Raw (undecayed) bucket sums for allocation-free screens: polls, changed polls, increase, exposure. */
  bucketPolls(b: number): number {
    const i = b * BUCKET_STRIDE;
    return (this.buckets[i] ?? 0) + (this.buckets[i + 2] ?? 0);
  }

  bucketChanged(b: number): number {
    return this.buckets[b * BUCKET_STRIDE] ?? 0;
  }

  bucketIncrease(b: number): number {
    return this.buckets[b * BUCKET_STRIDE + 4] ?? 0;
  }

  bucketExposure(b: number): number {
    return this.buckets[b * BUCKET_STRIDE + 5] ?? 0;
  }

  /** Multiplies every stored weight (decay rebasing). */
  rescale(f: number): void {
    for (let i = 0; i < this.slots.length; i++) this.slots[i] = (this.slots[i] ?? 0) * f;
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i] = (this.buckets[i] ?? 0) * f;
    this.inc *= f;
    this.exposure *= f;
  }

  toJSON(): EvidenceJSON {
    return {
      keys: [...this.keys], slots: Array.from(this.slots.subarray(0, this.keys.length * SLOT)),
      counter: [this.inc, this.exposure], buckets: Array.from(this.buckets),
    };
  }

  static fromJSON(json: EvidenceJSON, maxSlots: number, bucketCount: number): Evidence {
    const e = new Evidence(maxSlots, bucketCount);
    const keys = json.keys.slice(0, maxSlots);
    e.keys = keys;
    e.slots.set(json.slots.slice(0, keys.length * SLOT));
    [e.inc, e.exposure] = json.counter;
    if (json.buckets.length === e.buckets.length) e.buckets.set(json.buckets);
    return e;
  }

  /** Index of the slot for interval T; when all slots are taken the two closest merge first. */
  private slotFor(T: number): number {
    const key = Math.round(Math.log2(Math.max(T, 1)) * KEYS_PER_OCTAVE);
    const found = this.keys.indexOf(key);
    if (found >= 0) return found;
    if (this.keys.length >= this.maxSlots) this.mergeClosest();
    this.keys.push(key);
    return this.keys.length - 1;
  }

  private mergeClosest(): void {
    let a = 0;
    let b = 1;
    for (let i = 0; i < this.keys.length; i++) {
      for (let j = i + 1; j < this.keys.length; j++) {
        const d = Math.abs((this.keys[i] ?? 0) - (this.keys[j] ?? 0));
        if (d < Math.abs((this.keys[a] ?? 0) - (this.keys[b] ?? 0))) [a, b] = [i, j];
      }
    }
    for (let n = 0; n < SLOT; n++) this.slots[a * SLOT + n] = (this.slots[a * SLOT + n] ?? 0) + (this.slots[b * SLOT + n] ?? 0);
    const last = this.keys.length - 1;
    if (b !== last) {
      this.keys[b] = this.keys[last] ?? 0;
      this.slots.copyWithin(b * SLOT, last * SLOT, last * SLOT + SLOT);
    }
    this.slots.fill(0, last * SLOT, last * SLOT + SLOT);
    this.keys.pop();
  }
}

function readGroup(a: Float64Array, i: number, f: number): PollGroup {
  return { w1: (a[i] ?? 0) * f, t1: (a[i + 1] ?? 0) * f, w0: (a[i + 2] ?? 0) * f, t0: (a[i + 3] ?? 0) * f };
}

/** Sums poll groups (pooling buckets for a single-rate fit). */
export function poolGroups(groups: readonly PollGroup[]): PollGroup {
  const sum = { w1: 0, t1: 0, w0: 0, t0: 0 };
  for (const g of groups) {
    sum.w1 += g.w1;
    sum.t1 += g.t1;
    sum.w0 += g.w0;
    sum.t0 += g.t0;
  }
  return sum;
}
