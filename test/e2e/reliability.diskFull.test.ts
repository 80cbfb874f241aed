/**
 * The short form of the disk-full scenario (test/reliability/diskFull.ts) inside `npm test`: the built
 * demo app with its data folder on a small tmpfs that is filled and freed again; every row it reports
 * must meet its bound. The mount needs root (CI runs as root): without it the scenario fails, it never skips.
 */
import { describe, expect, it } from '@jest/globals';
import { diskFull } from '../reliability/diskFull.js';
import { missedRows, shortForm } from '../reliability/rows.js';

describe('reliability: disk full on a small tmpfs (short)', () => {
  it('warns, keeps polling, acknowledges nothing unwritten, recovers, keeps the file parseable', async () => {
    const rows = await shortForm(diskFull);
    expect(rows).toHaveLength(5);
    expect(missedRows(rows, 'short')).toEqual([]);
  }, 120_000);
});
