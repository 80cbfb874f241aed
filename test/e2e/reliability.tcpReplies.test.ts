// The short form of the reliability suite's TCP replies scenario (test/reliability/tcpFaults.ts): the
// built app against a pymodbus device behind the fault proxy, watched over MQTT. Every row must keep
// its bound; the rows are printed so the run shows its figures.
import { describe, expect, it } from '@jest/globals';
import { missedRows, shortForm } from '../reliability/rows.js';
import { tcpReplies } from '../reliability/tcpFaults.js';

describe('reliability: TCP replies (short)', () => {
  it('keeps every bound', async () => {
    const rows = await shortForm(tcpReplies);
    expect(rows).toHaveLength(3);
    expect(missedRows(rows, 'short')).toEqual([]);
  }, 300_000);
});
