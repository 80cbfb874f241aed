/**
 * Turns poller statistics into log lines a person can read: per bus, requests per minute, registers
 * per request, measured and modelled bus utilisation, errors and overruns since the last report; and
 * the current value of every entity. The demo prints this so the effect of block reads is visible.
 */
import type { BusStats, EntityStats } from './pollerTypes.js';

export interface BusDelta {
  key: string;
  /** Requests in the window. */
  requests: number;
  requestsPerMin: number;
  registersPerRequest: number;
  /** Measured busy time / wall time, in [0, 1]. */
  utilisation: number;
  /** Modelled bus time / wall time. */
  modelledUtilisation: number;
  errors: number;
  overruns: number;
}

/** Rates between two snapshots of the same bus taken at `fromMs` and `toMs` (no `before`: since start). */
export function busDelta(before: BusStats | undefined, after: BusStats, fromMs: number, toMs: number): BusDelta {
  const zero = { requests: 0, registers: 0, busyMs: 0, modelledBusMs: 0, errors: 0, overruns: 0 };
  const base = before ?? zero;
  const wallMs = Math.max(1, toMs - fromMs);
  const requests = after.requests - base.requests;
  return {
    key: after.key,
    requests,
    requestsPerMin: (requests / wallMs) * 60_000,
    registersPerRequest: requests > 0 ? (after.registers - base.registers) / requests : 0,
    utilisation: (after.busyMs - base.busyMs) / wallMs,
    modelledUtilisation: (after.modelledBusMs - base.modelledBusMs) / wallMs,
    errors: after.errors - base.errors,
    overruns: after.overruns - base.overruns,
  };
}

export function formatBusDelta(d: BusDelta): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return `bus ${d.key}: ${d.requestsPerMin.toFixed(1)} requests/min, ${d.registersPerRequest.toFixed(1)} registers/request, ` +
    `busy ${pct(d.utilisation)} measured / ${pct(d.modelledUtilisation)} modelled, ${d.errors} errors, ${d.overruns} overruns`;
}

export function formatValues(stats: readonly EntityStats[], units: ReadonlyMap<string, string | undefined>): string {
  return stats
    .map((s) => {
      const unit = units.get(s.id);
      const value = s.lastValue === undefined ? '?' : s.illegalAddress ? 'illegal address' : String(s.lastValue);
      return `${s.id}=${value}${unit && s.lastValue !== undefined ? ` ${unit}` : ''}`;
    })
    .join(', ');
}
