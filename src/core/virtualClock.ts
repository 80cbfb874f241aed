/**
 * A deterministic clock for tests and simulation: time moves only when `advance` or `runUntil` is
 * called, and timers fire in due-time order (ties in arming order). After each firing it waits one
 * event-loop turn, which runs only once the microtask queue is empty, so every promise chain a timer
 * started settles before time moves on, however deep (one turn costs far less than the twenty awaited
 * promises this used to take, most of all under Jest, whose promise hooks make each promise dearer).
 */
import { nextTurn, type Clock, type TimerHandle } from './clock.js';
import { MinHeap } from './minHeap.js';

interface PendingTimer {
  id: number;
  due: number;
  fn: () => void;
}

export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly pending = new Map<number, PendingTimer>();
  /** Due order; cancelled timers stay here until they surface and are skipped. */
  private readonly queue = new MinHeap<PendingTimer>();

  constructor(startMs = Date.UTC(2026, 0, 5, 0, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const timer = { id, due: this.current + Math.max(0, ms), fn };
    this.pending.set(id, timer);
    this.queue.push(timer.due, timer);
    return { id };
  }

  clearTimer(handle: TimerHandle | undefined): void {
    if (handle) this.pending.delete(handle.id);
  }

  /** Number of armed timers (useful to assert that a stopped component released its timers). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    await this.runUntil(this.current + ms);
  }

  /** Fires timers in order until `targetMs`, then sets the clock to `targetMs`. */
  async runUntil(targetMs: number): Promise<void> {
    await settleMicrotasks();
    for (;;) {
      const next = this.earliest();
      if (!next || next.due > targetMs) break;
      this.pending.delete(next.id);
      this.current = Math.max(this.current, next.due);
      next.fn();
      await settleMicrotasks();
    }
    this.current = Math.max(this.current, targetMs);
  }

  private earliest(): PendingTimer | undefined {
    for (;;) {
      const top = this.queue.peek();
      if (!top || this.pending.has(top.id)) return top;
      this.queue.pop();
    }
  }
}

/** Lets queued promise continuations run: all of them, since a macrotask runs only once the microtask queue is empty. */
function settleMicrotasks(): Promise<void> {
  return nextTurn();
}
