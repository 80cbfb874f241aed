/**
 * One reconnect and retry policy for every link that can fail (Modbus buses, per-unit back-off, the
 * Home Assistant websocket and REST publisher): capped exponential back-off with jitter from an
 * injected random source, so retries from many clients spread out and tests are repeatable.
 */

/** Capped exponential back-off with jitter: min(max, base · 2^attempt) · [0.5, 1). */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 40));
  return Math.round(capped * (0.5 + 0.5 * random()));
}
