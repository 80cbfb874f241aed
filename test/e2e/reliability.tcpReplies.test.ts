// The short form of the reliability suite's TCP replies scenario (test/reliability/tcpFaults.ts): the
// built app against a pymodbus device behind the fault proxy, watched over MQTT. Every row must keep
// its bound; the rows are printed so the run shows its figures.
import { describe, expect, it } from '@jest/globals';
import { tcpReplies } from '../reliability/tcpFaults.js';

describe('reliability: TCP replies (short)', () => {
  it('keeps every bound', async () => {
    const rows = await tcpReplies.run('short');
    console.log(rows.map((r) => `${r.met ? 'met' : 'NOT MET'} | ${r.fault} | ${r.figure} | ${r.bound}`).join('\n'));
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => !r.met)).toEqual([]);
  }, 300_000);
});
