/**
 * What the goal lets a schedule ask of a bus, in both units a device can be limited by (issue 15
 * item 10): modelled bus time and requests per second. `save_bus` caps both at what the configured
 * scan intervals with block reads ask — a Modbus TCP device, a WiFi dongle with one client or an
 * RTU gateway counts requests, and a slowed block of constants must not pay for extra requests in
 * wire time it saves. `freshest` caps bus time at `bus_budget` only. Local steps and the cycles'
 * proposals both check against it with the exact schedule model (modbus/scheduleCost.ts).
 */
import type { ScheduleLoad } from '../modbus/scheduleCost.js';

export type { ScheduleLoad };

/** Relative slack for rounding in the schedule model. */
const SLACK = 1e-9;

export function exceeds(load: ScheduleLoad, cap: ScheduleLoad): boolean {
  return load.busFraction > cap.busFraction * (1 + SLACK) || load.requestsPerMs > cap.requestsPerMs * (1 + SLACK);
}

/** Whether `after` asks more of the bus than `before` in either unit. */
export function grows(before: ScheduleLoad, after: ScheduleLoad): boolean {
  return after.busFraction > before.busFraction * (1 + SLACK) || after.requestsPerMs > before.requestsPerMs * (1 + SLACK);
}
