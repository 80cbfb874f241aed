import { describe, expect, it } from '@jest/globals';
import { CounterGuard } from '../../src/modbus/counterGuard.js';

/** The values Home Assistant is shown for a sequence of readings (held readings repeat the last shown). */
function shown(readings: number[]): number[] {
  const guard = new CounterGuard();
  return readings.map((r) => {
    const v = guard.judge(r);
    return v.kind === 'publish' ? v.value : v.shown;
  });
}

describe('energy counters never fake a reset', () => {
  it.each([
    ['climbing', [100, 100.5, 101, 101], [100, 100.5, 101, 101]],
    ['inverter_zero_after_error', [5321.5, 0, 5321.6, 5321.7], [5321.5, 5321.5, 5321.6, 5321.7]],
    ['sdongle_dip_then_back', [5321.5, 5300.2, 5300.2, 5321.9], [5321.5, 5321.5, 5321.5, 5321.9]],
    ['dip_that_stays_is_never_published', [5321.5, 4800, 4800, 4800, 4800.1], [5321.5, 5321.5, 5321.5, 5321.5, 5321.5]],
    ['two_zero_glitches_apart', [900, 0, 901, 0, 902], [900, 900, 901, 901, 902]],
    ['real_reset_zero_then_climbing', [5321.5, 0, 0.01, 0.03, 0.05], [5321.5, 5321.5, 5321.5, 0.03, 0.05]],
    ['real_reset_meter_replaced_idle', [7531.75, 0.2, 0.2, 0.2], [7531.75, 7531.75, 7531.75, 0.2]],
    ['near_zero_that_falls_again_restarts', [800, 10, 5, 6, 7], [800, 800, 800, 800, 7]],
  ])('%s', (_name, readings, expected) => {
    expect(shown(readings)).toEqual(expected);
  });

  it('a first reading is taken as it is', () => {
    expect(new CounterGuard().judge(0)).toEqual({ kind: 'publish', value: 0 });
  });
});
