/** The bench's ablation table: each strategy's gain as within-seed ratios against the shipped run. */
import { describe, expect, it } from '@jest/globals';
import { ablationTable } from '../../bench/ablationTable.js';
import type { SiteSweep } from '../../bench/freshness.js';
import type { SweepOutcome } from '../../bench/sweepJobs.js';

const outcome = (policy: string, seed: number, stalenessMs: number, bus: number) =>
  ({ job: { policy, seed }, setting: { label: '', value: 0 }, figures: { meanStalenessMs: stalenessMs, busUtilisation: bus } }) as unknown as SweepOutcome;

describe('ablation table', () => {
  it('pairs each seed\'s run without a strategy with that seed\'s shipped run, then takes median and range', () => {
    const sweep = {
      site: 'solar-home', plan: undefined,
      outcomes: [
        outcome('optimizer', 1, 1000, 0.1), outcome('optimizer-without-pattern', 1, 1200, 0.1),
        outcome('optimizer', 2, 2000, 0.2), outcome('optimizer-without-pattern', 2, 2600, 0.15),
        outcome('optimizer', 3, 1000, 0.1), outcome('optimizer-without-pattern', 3, 1250, 0.12),
      ],
    } as unknown as SiteSweep;
    const table = ablationTable(sweep);
    expect(table).toContain('| pattern | 1.25× (1.20×–1.30×) | 1.00× (0.75×–1.20×) | 12.0% (10.0%–15.0%) |');
    expect(table).not.toContain('| cluster |'); // no runs without it
  });

  it('says so when a site has no ablation runs', () => {
    const sweep = { site: 'industrial', outcomes: [outcome('optimizer', 1, 1000, 0.1)] } as unknown as SiteSweep;
    expect(ablationTable(sweep)).toMatch(/^What each strategy adds: not measured on industrial/);
  });
});
