// The Home Assistant faults of issue 16 item 5, short forms (npm run reliability runs the long ones):
// the built app as a child process with a pymodbus device, against the test Home Assistant restarted
// ten times, answering state writes with 500 for a while, and freezing its websocket without a close.
// Each scenario's row is printed and must have met its bound.
import { describe, expect, it } from '@jest/globals';
import { haFaultScenarios } from '../reliability/haFaults.js';
import { missedRows, shortForm } from '../reliability/rows.js';
import type { ReliabilityScenario } from '../reliability/types.js';

/** Real seconds each short form may take (its own length plus start, stop and slack). */
const TIMEOUTS_MS: Record<string, number> = { 'ha-restarts': 120_000, 'ha-rest-errors': 90_000, 'ha-silent-socket': 90_000 };

async function runShort(scenario: ReliabilityScenario): Promise<void> {
  const rows = await shortForm(scenario);
  expect(rows.length).toBeGreaterThan(0);
  expect(missedRows(rows, 'short').map((r) => ({ fault: r.fault, figure: r.figure }))).toEqual([]);
}

describe('Home Assistant faults, short forms', () => {
  for (const scenario of haFaultScenarios) {
    it(scenario.name, () => runShort(scenario), TIMEOUTS_MS[scenario.name] ?? 90_000);
  }
});
