/**
 * A fixed-size ring of ascending timestamps (an entity's last observed change times): bounded memory
 * however long the app runs, for the stats views (recent changes) and the persisted state.
 */
export class TimeRing {
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(t: number): void {
    this.times[this.head] = t;
    this.head = (this.head + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** i-th oldest retained time. */
  at(i: number): number {
    return this.times[(this.head - this.count + i + this.capacity) % this.capacity] ?? NaN;
  }

  oldest(): number | undefined {
    return this.count > 0 ? this.at(0) : undefined;
  }

  newest(): number | undefined {
    return this.count > 0 ? this.at(this.count - 1) : undefined;
  }

  toArray(): number[] {
    return Array.from({ length: this.count }, (_, i) => this.at(i));
  }

  static fromArray(capacity: number, times: readonly number[]): TimeRing {
    const ring = new TimeRing(capacity);
    for (const t of times.slice(-capacity)) ring.push(t);
    return ring;
  }
}
