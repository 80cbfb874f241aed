/**
 * Time as an injected dependency. Every module reads "now" and arms timers through a Clock so the
 * same code runs against the wall clock in production and against a virtual clock that can replay a
 * simulated week in seconds. Only main.ts builds the real one.
 */
export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle | undefined): void;
}

/** Resolves after `ms` on the given clock (virtual clocks resolve when advanced). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(resolve, ms);
  });
}

/** A job `repeat` runs until stopped. */
export interface Repeating {
  stop(): void;
}

/**
 * Runs `fn` every `everyMs` on the given clock, each run armed after the previous one ran (so a slow
 * run never piles up), until stopped. The one periodic timer of the house: parts that tick (the
 * metrics recorder, the pattern controller, local steps, the dashboard series) use it.
 */
export function repeat(clock: Clock, everyMs: number, fn: () => void): Repeating {
  let handle: TimerHandle | undefined;
  let stopped = false;
  const arm = () => {
    handle = clock.setTimer(() => {
      fn();
      if (!stopped) arm();
    }, everyMs);
  };
  arm();
  return {
    stop: () => {
      stopped = true;
      clock.clearTimer(handle);
      handle = undefined;
    },
  };
}

/**
 * The wall clock. A zero delay runs on the next turn of the event loop (setImmediate) rather than
 * through setTimeout, which Node clamps to 1 ms — that clamp alone would cap a busy poller at
 * 1,000 cycles per second.
 */
export function createSystemClock(): Clock {
  let nextId = 1;
  const cancels = new Map<number, () => void>();
  return {
    now: () => Date.now(), // eslint-disable-line no-restricted-properties -- the one real clock
    setTimer(fn, ms) {
      const id = nextId++;
      const run = () => {
        cancels.delete(id);
        fn();
      };
      if (ms > 0) {
        const t = setTimeout(run, ms);
        cancels.set(id, () => clearTimeout(t));
      } else {
        const t = setImmediate(run);
        cancels.set(id, () => clearImmediate(t));
      }
      return { id };
    },
    clearTimer(handle) {
      if (!handle) return;
      cancels.get(handle.id)?.();
      cancels.delete(handle.id);
    },
  };
}

/**
 * Resolves on the event loop's next turn, after pending real I/O callbacks. Virtual-time loops await
 * it so a real file write or socket reply started inside simulated time can finish.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock time as ISO 8601 for figures and answers; null when there is none. */
export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
