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

/** The wall clock. Timers are unref'd so a pending timer never keeps the process alive on its own. */
export function createSystemClock(): Clock {
  let nextId = 1;
  const timers = new Map<number, NodeJS.Timeout>();
  return {
    now: () => Date.now(), // eslint-disable-line no-restricted-properties -- the one real clock
    setTimer(fn, ms) {
      const id = nextId++;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms));
      timers.set(id, t);
      return { id };
    },
    clearTimer(handle) {
      if (!handle) return;
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
}
