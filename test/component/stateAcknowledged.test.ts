/**
 * Acknowledged means durable: a command that changes the optimizer's state answers success only once
 * the state file holds the change; when the data folder cannot be written (here it is swapped for a
 * regular file, which stops root too) the answer is an error with code `failed` naming the file and
 * the cause, the log warns, and the statistics count it.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.js';
import type { Caller, CommandResult } from '../../src/commands/types.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { SimPointSpec } from '../../src/sim/simDevice.js';
import { buildSimApp, stopSimApp } from '../helpers/simApp.js';

const POINTS: SimPointSpec[] = [
  { id: 'power', name: 'Power', registerType: 'holding', address: 0, dataType: 'uint16', process: { kind: 'walk', initial: 1000, step: 10, min: 0, max: 60_000, ratePerHour: () => 600, peakRatePerHour: 600 } },
];
const OPTIONS = {
  connections: [{ name: 'gw', type: 'rtuovertcp', host: 'sim', baudrate: 9600 }],
  entities: POINTS.map((p) => ({ name: p.name, connection: 'gw', address: p.address, scan_interval: 15 })),
  optimizer: { enabled: false },
};
const user: Caller = { source: 'event', userId: 'user-42' };

let root: string;
let dir: string;
let clock: VirtualClock;
let app: App;
const logger = createMemoryLogger();
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mbo-ack-'));
  dir = path.join(root, 'data');
  await mkdir(dir);
  clock = new VirtualClock(Date.UTC(2026, 0, 5));
  app = buildSimApp({ clock, dir, options: OPTIONS, points: POINTS, logger });
  await app.start();
  await clock.advance(60_000);
});
afterEach(async () => {
  await stopSimApp(app, clock);
  await rm(root, { recursive: true, force: true });
});

const send = (request: Record<string, unknown>): Promise<CommandResult> => app.commands.handle(request, user);
const onDisk = async () => JSON.parse(await readFile(path.join(dir, 'modbus_optimizer_state.json'), 'utf8')) as { data: { optimizer: { settings: { goal: string } } } };

describe('a command that changes state', () => {
  it('answers success only once the file holds the change', async () => {
    const result = await send({ command: 'set_optimizer', goal: 'freshest' });
    expect(result).toMatchObject({ success: true, result: { after: { goal: 'freshest' } } });
    expect((await onDisk()).data.optimizer.settings.goal).toBe('freshest');
  });

  it('answers failed naming the file and the cause when the data folder cannot be written, warns, counts, and changes nothing', async () => {
    await rm(dir, { recursive: true });
    await writeFile(dir, 'not a folder'); // the state file's folder is now a regular file
    const file = path.join(dir, 'modbus_optimizer_state.json');
    const result = await send({ command: 'set_optimizer', goal: 'freshest' });
    expect(result.success).toBe(false);
    expect(result.error?.code).toBe('failed');
    expect(result.error?.message).toContain(`optimizer goal not changed: the state could not be written (could not write ${file}: ENOTDIR`);
    expect(logger.lines.some((l) => l.startsWith('WARNING Failed to save optimization history: could not write') && l.includes('ENOTDIR'))).toBe(true);
    expect(app.optimizer?.settings().goal).toBe('save_bus'); // undone

    const params = await send({ command: 'update_strategy_parameters', strategy: 'interval', parameters: { aggressiveness: 0.9 } });
    expect(params).toMatchObject({ success: false, error: { code: 'failed' } });
    const stats = await send({ command: 'get_statistics' });
    const figures = stats.result as { optimizer: { save_failures: number }; state_file: { failures: number; lastError: string } };
    expect(figures.optimizer.save_failures).toBe(2);
    expect(figures.state_file.failures).toBe(2);
    expect(figures.state_file.lastError).toContain('ENOTDIR');

    await rm(dir); // writable again: the next change is acknowledged and on disk
    await mkdir(dir);
    expect(await send({ command: 'set_optimizer', goal: 'freshest' })).toMatchObject({ success: true });
    expect((await onDisk()).data.optimizer.settings.goal).toBe('freshest');
  });
});
