/**
 * Freshness measured on the bus, not only modelled (issue 15, item 3): audit reads at random times
 * estimate the time-share of stale values without the learned rates. On a simulated value that changes
 * as a Poisson process (720 changes an hour) polled every 10 s, the true share is known in closed form,
 * 1 − (1 − e^(−λT)) / (λT) = 0.568; the audits' measured share must land near it, and the model's
 * prediction for the same audits is reported beside it.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { staleShare } from '../../src/metrics/ageModel.js';
import type { SimPointSpec } from '../../src/sim/simDevice.js';
import { buildSimApp, stopSimApp } from '../helpers/simApp.js';

const PER_HOUR = 720;
const POINTS: SimPointSpec[] = [
  { id: 'power', name: 'Power', registerType: 'holding', address: 0, dataType: 'uint16', process: { kind: 'walk', initial: 30_000, step: 50, min: 0, max: 60_000, ratePerHour: () => PER_HOUR, peakRatePerHour: PER_HOUR } },
  { id: 'still', name: 'Still', registerType: 'holding', address: 50, dataType: 'uint16', process: { kind: 'constant', initial: 7 } },
];
const OPTIONS = {
  connections: [{ name: 'gw', type: 'rtuovertcp', host: 'sim', baudrate: 9600 }],
  entities: [
    { name: 'Power', connection: 'gw', address: 0, scan_interval: 10, min_interval: 10, max_interval: 10 },
    { name: 'Still', connection: 'gw', address: 50, scan_interval: 10, min_interval: 10, max_interval: 10 },
  ],
  optimizer: { goal: 'freshest', bus_budget: 0.5 }, // the intervals are pinned (min = max); audits fit the budget
};

let dir: string;
let app: App | undefined;
let clock: VirtualClock;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-audit-'));
  clock = new VirtualClock(Date.UTC(2026, 0, 5));
});
afterEach(async () => {
  if (app) await stopSimApp(app, clock);
  app = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('audit reads', () => {
  it('measure the share of stale values the closed form predicts, and report the model\'s prediction beside it', async () => {
    app = buildSimApp({ clock, dir, options: OPTIONS, points: POINTS, auditEveryMs: 30_000 }); // each entity audited about once a minute: rare against its 10 s polls, so audits barely change what they measure
    await app.start();
    await clock.advance(24 * 3_600_000);
    const f = app.optimizer?.auditReads.figures();
    expect(f?.audits).toBeGreaterThan(2_500);
    // half the audits hit the constant (never stale): the expected share is half the power's
    const truth = staleShare(10_000, PER_HOUR / 3_600_000) / 2;
    expect(truth).toBeCloseTo(0.284, 2);
    expect(Math.abs((f?.measuredStaleShare ?? 0) - truth)).toBeLessThan(0.03);
    expect(f?.modelStaleShare).not.toBeNull();
    expect(Math.abs((f?.modelStaleShare ?? 0) - truth)).toBeLessThan(0.05);
    const stats = await app.commands.handle({ command: 'get_statistics' }, { source: 'stdin' });
    expect(stats).toMatchObject({ success: true, result: { optimizer: { audit_reads: { audits: f?.audits, measured_stale_share: f?.measuredStaleShare } } } });
  }, 60_000);
});
