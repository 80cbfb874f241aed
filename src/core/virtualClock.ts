/**
 * A deterministic clock for tests and simulation: time moves only when `advance` or `runUntil` is
 * called, and timers fire in due-time order (ties in arming order). Between timer firings it yields
 * to the microtask queue so promise chains started by a timer settle before time moves on.
 */
import type { Clock, TimerHandle } from './clock.js';

interface PendingTimer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  private seq = 0;
  private readonly pending = new Map<number, PendingTimer>();

  constructor(startMs = Date.UTC(2026, 0, 5, 0, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { id, due: this.current + Math.max(0, ms), seq: this.seq++, fn });
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
    let best: PendingTimer | undefined;
    for (const t of this.pending.values()) {
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets queued promise continuations run (several turns, since chains can be a few awaits deep). */
async function settleMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
