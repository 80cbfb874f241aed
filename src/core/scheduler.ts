/**
 * Periodic jobs (the optimizer's quick cycle, full cycle and evaluation) behind one small interface,
 * so the same loop runs on node-schedule in production and on the injected clock in a simulated
 * week. Both implementations fire at the same instants: multiples of the period counted from the
 * Unix epoch (UTC midnight for periods that divide a day, like cron's `0 *\/4 * * *`), so a run
 * started at 01:30 with a 4 h period fires at 04:00, 08:00, … in either world.
 */
import schedule from 'node-schedule';
import type { Clock, TimerHandle } from './clock.js';

export type JobFn = () => void | Promise<void>;

export interface ScheduledJob {
  readonly name: string;
  readonly periodMs: number;
  /** When the job fires next (ms since epoch), undefined once cancelled. */
  nextRunAt(): number | undefined;
  cancel(): void;
}

export interface Scheduler {
  /** Runs `job` every `periodMs`, aligned to multiples of the period since the epoch. */
  every(name: string, periodMs: number, job: JobFn): ScheduledJob;
  /** Cancels every job this scheduler started (lifecycle stop). */
  stop(): void;
}

/** What a failing job is reported to (a job never stops its own schedule by throwing). */
export type JobErrorHandler = (name: string, err: unknown) => void;

/** The first aligned instant strictly after `nowMs`. */
export function nextAlignedRun(nowMs: number, periodMs: number): number {
  if (!(periodMs > 0)) throw new RangeError(`period must be > 0 ms, got ${periodMs}`);
  return (Math.floor(nowMs / periodMs) + 1) * periodMs;
}

/** Arms one fire at a time through `arm`; shared by both implementations. */
function periodicJob(
  name: string, periodMs: number, job: JobFn, now: () => number, onError: JobErrorHandler,
  arm: (at: number, fire: () => void) => { cancel(): void },
): ScheduledJob {
  let next: number | undefined = nextAlignedRun(now(), periodMs);
  let armed: { cancel(): void } | undefined;
  const fire = () => {
    if (next === undefined) return;
    next = nextAlignedRun(Math.max(now(), next), periodMs);
    armed = arm(next, fire);
    try {
      const result = job();
      if (result instanceof Promise) result.catch((err: unknown) => onError(name, err));
    } catch (err) {
      onError(name, err);
    }
  };
  armed = arm(next, fire);
  return {
    name,
    periodMs,
    nextRunAt: () => next,
    cancel() {
      next = undefined;
      armed?.cancel();
    },
  };
}

function jobSet(make: (name: string, periodMs: number, job: JobFn) => ScheduledJob): Scheduler {
  const jobs = new Set<ScheduledJob>();
  return {
    every(name, periodMs, job) {
      const handle = make(name, periodMs, job);
      jobs.add(handle);
      return { ...handle, cancel: () => { handle.cancel(); jobs.delete(handle); } };
    },
    stop() {
      for (const j of jobs) j.cancel();
      jobs.clear();
    },
  };
}

/** Production: node-schedule jobs (one dated invocation at a time), times taken from `clock`. */
export function createNodeScheduler(clock: Clock, onError: JobErrorHandler): Scheduler {
  let seq = 0;
  return jobSet((name, periodMs, job) => periodicJob(name, periodMs, job, () => clock.now(), onError, (at, fire) => {
    const scheduled = schedule.scheduleJob(`${name}#${++seq}`, new Date(at), fire);
    return { cancel: () => scheduled?.cancel() };
  }));
}

/** Simulation and tests: fires from the injected clock's timers (a VirtualClock runs them in virtual time). */
export function createClockScheduler(clock: Clock, onError: JobErrorHandler): Scheduler {
  return jobSet((name, periodMs, job) => periodicJob(name, periodMs, job, () => clock.now(), onError, (at, fire) => {
    const handle: TimerHandle = clock.setTimer(fire, at - clock.now());
    return { cancel: () => clock.clearTimer(handle) };
  }));
}
