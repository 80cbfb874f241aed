/**
 * The short form of the RTU corruption scenario (test/reliability/rtuCorruption.ts) inside `npm test`:
 * the built app on a serial line whose replies are damaged; every row it reports must meet its bound.
 */
import { describe, expect, it } from '@jest/globals';
import { rtuCorruption } from '../reliability/rtuCorruption.js';

describe('reliability: CRC errors and garbage bytes on RTU (short)', () => {
  it('publishes no damaged value, counts every broken reply, recovers, stays up', async () => {
    const rows = await rtuCorruption.run('short');
    console.log(rows.map((r) => `${r.met ? 'met' : 'NOT MET'} | ${r.fault} | ${r.figure} | ${r.bound}`).join('\n'));
    expect(rows.length).toBe(4);
    expect(rows.filter((r) => !r.met)).toEqual([]);
  }, 150_000);
});
