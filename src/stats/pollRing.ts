/**
 * A fixed-size ring of an entity's recent polls: each poll's time and the running count of changed
 * polls up to it. The co-change detector compares a partner's reads inside a change's window with
 * the same number of the partner's reads a few reads earlier — the same read opportunities, which
 * change times alone cannot tell — so it needs the polls, not only the changes. The running count
 * answers "did any of these polls see a change?" in O(1), the times by binary search.
 */
export class PollRing {
  private readonly times: Float64Array;
  /** Changed polls up to and including each poll, modulo 2^32 (differences stay exact). */
  private readonly changes: Uint32Array;
  private head = 0;
  private count = 0;
  private total = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
    this.changes = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  push(t: number, changed: boolean): void {
    if (changed) this.total = (this.total + 1) >>> 0;
    this.times[this.head] = t;
    this.changes[this.head] = this.total;
    this.head = (this.head + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Time of the i-th oldest retained poll. */
  timeAt(i: number): number {
    return this.times[this.slot(i)] ?? NaN;
  }

  /** How many retained polls lie at or before t (so also the index of the first poll after t). */
  countUpTo(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.timeAt(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether any retained poll with index in (i, j] saw a change (0 ≤ i ≤ j < size). */
  changedIn(i: number, j: number): boolean {
    return (((this.changes[this.slot(j)] ?? 0) - (this.changes[this.slot(i)] ?? 0)) >>> 0) > 0;
  }

  toArray(): number[] {
    return Array.from({ length: this.count }, (_, i) => this.timeAt(i));
  }

  /**
   * Rebuilt from poll times and the entity's change times (ascending both): a poll changed when its
   * time is a change time. The change ring is as long as this one, so it holds every change among
   * the polls kept here.
   */
  static fromArrays(capacity: number, pollTimes: readonly number[], changeTimes: readonly number[]): PollRing {
    const ring = new PollRing(capacity);
    let c = 0;
    for (const t of pollTimes.slice(-capacity)) {
      while (c < changeTimes.length && (changeTimes[c] ?? Infinity) < t) c++;
      const changed = c < changeTimes.length && changeTimes[c] === t;
      if (changed) c++;
      ring.push(t, changed);
    }
    return ring;
  }

  private slot(i: number): number {
    return (this.head - this.count + i + this.capacity) % this.capacity;
  }
}
