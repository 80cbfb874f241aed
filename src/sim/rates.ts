/**
 * How often simulated values change, as rate profiles that carry their own ground truth: the rate at
 * any time (for the change process) and the rate per regime of the HA context entity that selects it
 * (for the stats tests and the known-rate oracle). The sun is simplified to a fixed day, 06:00–18:00
 * UTC, published as `sun.sun` the way Home Assistant names its states.
 */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const SUNRISE_HOUR = 6;
export const SUNSET_HOUR = 18;

export const SUN_ENTITY = 'sun.sun';
export const ABOVE_HORIZON = 'above_horizon';
export const BELOW_HORIZON = 'below_horizon';
/** The regime name of a rate that does not depend on any context. */
export const ALWAYS = 'always';

/** Which context entity selects the regime (undefined: one regime) and the true rate in each. */
export interface RegimeRates {
  by: string | undefined;
  perHour: Readonly<Record<string, number>>;
}

export interface RateProfile {
  /** Changes per hour at time t. */
  at(t: number): number;
  /** Upper bound of `at` (for thinning). */
  peak: number;
  regimes: RegimeRates;
}

export function isDaytime(t: number): boolean {
  const hour = (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  return hour >= SUNRISE_HOUR && hour < SUNSET_HOUR;
}

export function sunState(t: number): string {
  return isDaytime(t) ? ABOVE_HORIZON : BELOW_HORIZON;
}

/** The next sunrise or sunset strictly after t. */
export function nextSunTransition(t: number): number {
  const dayStart = Math.floor(t / DAY_MS) * DAY_MS;
  for (const hour of [SUNRISE_HOUR, SUNSET_HOUR, 24 + SUNRISE_HOUR]) {
    const at = dayStart + hour * HOUR_MS;
    if (at > t) return at;
  }
  return dayStart + (24 + SUNRISE_HOUR) * HOUR_MS;
}

/** The same rate all day. */
export function always(perHour: number): RateProfile {
  return { at: () => perHour, peak: perHour, regimes: { by: undefined, perHour: { [ALWAYS]: perHour } } };
}

/** One rate while the sun is up, another (default 0) at night. */
export function bySun(dayPerHour: number, nightPerHour = 0): RateProfile {
  return {
    at: (t) => (isDaytime(t) ? dayPerHour : nightPerHour),
    peak: Math.max(dayPerHour, nightPerHour),
    regimes: { by: SUN_ENTITY, perHour: { [ABOVE_HORIZON]: dayPerHour, [BELOW_HORIZON]: nightPerHour } },
  };
}

/** The true rate of a profile given the current context states. */
export function rateInRegime(regimes: RegimeRates, contextState: (entityId: string) => string | undefined): number {
  const key = regimes.by === undefined ? ALWAYS : contextState(regimes.by);
  return key === undefined ? 0 : (regimes.perHour[key] ?? 0);
}
