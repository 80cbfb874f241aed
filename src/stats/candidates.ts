/**
 * Which non-partners keep coinciding with an entity: a small space-saving counter per entity (the
 * heavy-hitters sketch). One coincidence is chance; a candidate seen again and again is worth a
 * partner slot. Admitting only repeat candidates keeps the bounded partner lists from churning
 * through chance pairs, so real partners get in even on a busy site. Fixed size per entity: one
 * typed array of (candidate + 1, count) pairs.
 */
export type SketchJSON = Array<[number, number[]]>;

export class CandidateSketch {
  private readonly byEntity = new Map<number, Int32Array>();

  constructor(private readonly slots: number) {}

  /** Counts one coincidence of `other` with `e`; returns its (over-)count. */
  note(e: number, other: number): number {
    let cells = this.byEntity.get(e);
    if (!cells) {
      cells = new Int32Array(2 * this.slots);
      this.byEntity.set(e, cells);
    }
    let free = -1;
    let min = -1;
    for (let i = 0; i < cells.length; i += 2) {
      const who = cells[i] ?? 0;
      if (who === other + 1) return (cells[i + 1] = (cells[i + 1] ?? 0) + 1);
      if (who === 0 && free < 0) free = i;
      else if (who !== 0 && (min < 0 || (cells[i + 1] ?? 0) < (cells[min + 1] ?? 0))) min = i;
    }
    const at = free >= 0 ? free : min; // space-saving: a newcomer takes the smallest count, plus one
    if (at < 0) return 0;
    cells[at] = other + 1;
    cells[at + 1] = (free >= 0 ? 0 : (cells[at + 1] ?? 0)) + 1;
    return cells[at + 1] ?? 0;
  }

  remove(e: number, other: number): void {
    const cells = this.byEntity.get(e);
    if (!cells) return;
    for (let i = 0; i < cells.length; i += 2) {
      if (cells[i] === other + 1) cells.fill(0, i, i + 2);
    }
  }

  toJSON(): SketchJSON {
    return [...this.byEntity].map(([e, cells]) => [e, Array.from(cells)]);
  }

  static fromJSON(json: SketchJSON, slots: number): CandidateSketch {
    const sketch = new CandidateSketch(slots);
    for (const [e, cells] of json) sketch.byEntity.set(e, Int32Array.from(cells.slice(0, 2 * slots)));
    return sketch;
  }
}
