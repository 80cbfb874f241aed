/**
 * kill -9 during acknowledged writes (test/reliability/killWrites.ts, short form): after each of ten
 * kills at random moments the state file parses and holds every acknowledged change, and no temporary
 * file is left. `npm run reliability -- --only kill-writes` runs 500 kills.
 */
import { describe, expect, it } from '@jest/globals';
import { killWrites } from '../reliability/killWrites.js';
import { shortForm } from '../reliability/rows.js';

describe('kill -9 while acknowledged writes are under way', () => {
  it('after each of 10 kills the file parses and holds every acknowledged change', async () => {
    const rows = await shortForm(killWrites);
    expect(rows).toEqual([expect.objectContaining({ met: true })]);
  }, 60_000);
});
