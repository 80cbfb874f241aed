/**
 * The short form of the RTU corruption scenario (test/reliability/rtuCorruption.ts) inside `npm test`:
 * the built app on a serial line whose replies are damaged; every row it reports must meet its bound.
 */
import { describe, expect, it } from '@jest/globals';
import { rtuCorruption } from '../reliability/rtuCorruption.js';
import { missedRows, shortForm } from '../reliability/rows.js';

describe('reliability: CRC errors and garbage bytes on RTU (short)', () => {
  it('publishes no damaged value, counts every broken reply, recovers, stays up', async () => {
    const rows = await shortForm(rtuCorruption);
    expect(rows).toHaveLength(4);
    expect(missedRows(rows, 'short')).toEqual([]);
  }, 150_000);
});
