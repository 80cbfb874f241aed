/**
 * A binary min-heap keyed by a number. The poller keeps its due times here so finding the next due
 * entity among thousands costs O(log n) instead of a scan. Equal keys pop in insertion order, which
 * keeps simulations deterministic.
 */
export class MinHeap<T> {
  private readonly items: { key: number; seq: number; value: T }[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  push(key: number, value: T): void {
    this.items.push({ key, seq: this.seq++, value });
    this.up(this.items.length - 1);
  }

  peekKey(): number | undefined {
    return this.items[0]?.key;
  }

  peek(): T | undefined {
    return this.items[0]?.value;
  }

  pop(): { key: number; value: T } | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (top && last && this.items.length > 0) {
      this.items[0] = last;
      this.down(0);
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < this.items.length && this.less(l, smallest)) smallest = l;
      if (r < this.items.length && this.less(r, smallest)) smallest = r;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return false;
    return x.key < y.key || (x.key === y.key && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    if (x === undefined || y === undefined) return;
    this.items[a] = y;
    this.items[b] = x;
  }
}
