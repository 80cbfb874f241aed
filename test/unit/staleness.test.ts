import { describe, expect, it } from '@jest/globals';
import type { EntityStatus } from '../../src/modbus/pollerTypes.js';
import { censoredRatePerMs, meanStalenessMs } from '../../src/optimizer/staleness.js';

describe('staleness estimate', () => {
  const stats = (polls: number, changes: number, intervalMs: number): EntityStatus => ({
    id: 'e', bus: 'b', intervalMs, polls, changes, errors: 0, consecutiveErrors: 0, lastValue: 1, lastReadAt: 0,
    lastChangeAt: undefined, lastErrorAt: undefined, lastError: undefined, meanLatencyMs: 0, illegalAddress: false, countersHeld: 0,
  });

  it('is 0 for values that never change and approaches T/2 for values that always do', () => {
    expect(censoredRatePerMs(100, 0, 1000)).toBe(0);
    expect(meanStalenessMs([stats(101, 0, 10_000)])).toBe(0);
    const always = meanStalenessMs([stats(1001, 1000, 10_000)]) ?? 0;
    expect(always).toBeGreaterThan(3500);
    expect(always).toBeLessThan(5000);
  });

  it('averages over entities with at least two reads, and is unknown before', () => {
    expect(meanStalenessMs([stats(1, 0, 1000)])).toBeUndefined();
    const mixed = meanStalenessMs([stats(101, 0, 10_000), stats(1001, 1000, 10_000)]) ?? 0;
    expect(mixed).toBeCloseTo((meanStalenessMs([stats(1001, 1000, 10_000)]) ?? 0) / 2, 6);
  });

  it('prefers the rate the stats module learned for the current regime', () => {
    const learned = { currentRate: () => ({ ratePerHour: 0, kind: 'constant' }) } as never;
    expect(meanStalenessMs([stats(1001, 1000, 10_000)], learned)).toBe(0); // the counts say "always", the model says constant
    const unknown = { currentRate: () => ({ ratePerHour: 5, kind: 'unknown' }) } as never;
    expect(meanStalenessMs([stats(101, 0, 10_000)], unknown)).toBe(0); // unknown: falls back to the counts
  });
});
