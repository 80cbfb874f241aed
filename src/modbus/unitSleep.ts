/**
 * Devices that sleep. A solar inverter stops answering at dusk and wakes at dawn; probing it every
 * minute all night costs a full timeout each time (10 s on an SDongle) on a line other devices share,
 * and fills the log. A unit silent for longer than a glitch lasts is taken as asleep: it is probed
 * sparsely (every few minutes), except near the times of day it woke before, when it is probed often
 * enough to be back within one probe of waking. Wake times are learned from the unit's own history.
 */

const DAY_MS = 86_400_000;

export interface SleepOptions {
  /** Silent this long → asleep (ms). */
  asleepAfterMs: number;
  /** Probe interval while asleep, away from a learned wake time (ms). */
  sleepingProbeMs: number;
  /** Probe interval near a learned wake time (ms). */
  wakingProbeMs: number;
  /** How near a learned wake time counts as near (ms, either side). */
  wakeWindowMs: number;
  /** Wake times remembered per unit (the latest ones). */
  rememberedWakes: number;
}

export const DEFAULT_SLEEP_OPTIONS: SleepOptions = {
  asleepAfterMs: 10 * 60_000, sleepingProbeMs: 5 * 60_000, wakingProbeMs: 30_000, wakeWindowMs: 20 * 60_000, rememberedWakes: 14,
};

interface UnitSleep {
  silentSince: number | undefined;
  /** Times of day (ms since midnight UTC) the unit answered again after being asleep. */
  wakes: number[];
}

export class SleepTracker {
  private readonly units = new Map<number, UnitSleep>();

  constructor(private readonly options: SleepOptions = DEFAULT_SLEEP_OPTIONS) {}

  get asleepAfterMs(): number {
    return this.options.asleepAfterMs;
  }

  /** The unit failed to answer at `now`. */
  silent(unitId: number, now: number): void {
    const u = this.unit(unitId);
    u.silentSince ??= now;
  }

  /** The unit answered at `now`; returns true when it woke from sleep (its wake time is learned). */
  answered(unitId: number, now: number): boolean {
    const u = this.units.get(unitId);
    if (u?.silentSince === undefined) return false;
    const slept = now - u.silentSince >= this.options.asleepAfterMs;
    u.silentSince = undefined;
    if (slept) {
      u.wakes.push(now % DAY_MS);
      if (u.wakes.length > this.options.rememberedWakes) u.wakes.shift();
    }
    return slept;
  }

  isAsleep(unitId: number, now: number): boolean {
    const since = this.units.get(unitId)?.silentSince;
    return since !== undefined && now - since >= this.options.asleepAfterMs;
  }

  /** The longest a silent unit may go unprobed now (ms), or undefined while it is not asleep. */
  probeEveryMs(unitId: number, now: number): number | undefined {
    if (!this.isAsleep(unitId, now)) return undefined;
    const timeOfDay = now % DAY_MS;
    const nearWake = (this.units.get(unitId)?.wakes ?? []).some((w) => {
      const d = Math.abs(w - timeOfDay);
      return Math.min(d, DAY_MS - d) <= this.options.wakeWindowMs;
    });
    return nearWake ? this.options.wakingProbeMs : this.options.sleepingProbeMs;
  }

  /** Learned wake times of a unit (ms since midnight UTC), oldest first. */
  wakeTimes(unitId: number): readonly number[] {
    return this.units.get(unitId)?.wakes ?? [];
  }

  private unit(unitId: number): UnitSleep {
    let u = this.units.get(unitId);
    if (!u) this.units.set(unitId, (u = { silentSince: undefined, wakes: [] }));
    return u;
  }
}
