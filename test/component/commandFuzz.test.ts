/**
 * Bad input never crashes (issue 16, item 6): 10,000 generated command lines — malformed JSON, wrong
 * types, unknown commands and arguments, out-of-range numbers, every command name with random
 * arguments — through the real app's one command registry (virtual time, a simulated device, a real
 * state file). Every line gets exactly one answer, success or an error with a code and a message; the
 * app keeps polling afterwards, and nothing was written without permission.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.js';
import type { CommandResult } from '../../src/commands/types.js';
import { seededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import type { SimPointSpec } from '../../src/sim/simDevice.js';
import { buildSimApp, stopSimApp } from '../helpers/simApp.js';

const POINTS: SimPointSpec[] = [
  { id: 'power', name: 'Power', registerType: 'holding', address: 0, dataType: 'uint16', process: { kind: 'walk', initial: 100, step: 5, min: 0, max: 60_000, ratePerHour: () => 600, peakRatePerHour: 600 } },
  { id: 'setpoint', name: 'Setpoint', registerType: 'holding', address: 5, dataType: 'uint16', process: { kind: 'constant', initial: 40 } },
];
const OPTIONS = {
  connections: [{ name: 'gw', type: 'rtuovertcp', host: 'sim', baudrate: 9600 }],
  entities: [
    { name: 'Power', connection: 'gw', address: 0, scan_interval: 5 },
    { name: 'Setpoint', connection: 'gw', address: 5, scan_interval: 60 }, // not writable
  ],
};

const COMMANDS = ['run_quick_optimization', 'run_full_optimization', 'evaluate_optimizations', 'run_strategy', 'update_strategy_parameters',
  'get_statistics', 'read_now', 'write_register', 'write_coil', 'set_optimizer', 'nope', '', 'GET_STATISTICS'];
const KEYS = ['entity', 'value', 'address', 'unit_id', 'connection', 'strategy', 'parameters', 'goal', 'enabled', 'device', 'broadcast', 'request_id', 'extra'];

function fuzzLines(n: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const value = (depth = 0): unknown => {
    const kinds = ['int', 'big', 'neg', 'float', 'nan', 'str', 'bool', 'null', 'list', 'obj', 'entity'] as const;
    switch (pick(kinds)) {
      case 'int': return Math.floor(random() * 300);
      case 'big': return 2 ** 40 + Math.floor(random() * 10);
      case 'neg': return -Math.floor(random() * 70_000);
      case 'float': return random() * 1000;
      case 'nan': return 'NaN';
      case 'str': return pick(['', 'x', 'sensor.power', 'power', 'interval', 'freshest', 'save_bus', '0x10', '🙂', 'a'.repeat(300)]);
      case 'bool': return random() < 0.5;
      case 'null': return null;
      case 'list': return depth > 1 ? [] : Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      case 'obj': return depth > 1 ? {} : Object.fromEntries(Array.from({ length: Math.floor(random() * 3) }, () => [pick(KEYS), value(depth + 1)]));
      case 'entity': return pick(['power', 'setpoint', 'sensor.setpoint', 'binary_sensor.power', 'missing']);
    }
  };
  return Array.from({ length: n }, (_, i) => {
    const r = random();
    if (r < 0.1) return pick(['{', '}', '[]', 'null', '42', '"get_statistics"', '{"command":', 'not json', '{"command": "get_statistics",}', '\u0000']);
    const body: Record<string, unknown> = { command: r < 0.15 ? value() : pick(COMMANDS) };
    for (let k = Math.floor(random() * 4); k > 0; k--) body[pick(KEYS)] = value();
    if (random() < 0.5) body.request_id = i;
    return JSON.stringify(body);
  });
}

let dir: string;
let app: App | undefined;
let clock: VirtualClock;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-fuzz-'));
  clock = new VirtualClock(Date.UTC(2026, 0, 5));
});
afterEach(async () => {
  if (app) await stopSimApp(app, clock);
  app = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('10,000 generated commands', () => {
  it('each gets one answer, none crashes the app, nothing is written without permission, polling goes on', async () => {
    app = buildSimApp({ clock, dir, options: OPTIONS, points: POINTS });
    await app.start();
    await clock.advance(10_000);
    const lines = fuzzLines(10_000, 7);
    const answers: Array<CommandResult | undefined> = [];
    for (let i = 0; i < lines.length; i += 200) {
      const batch = lines.slice(i, i + 200).map((l) => (app as App).commands.handleLine(l, { source: 'stdin' }));
      await clock.advance(5_000); // reads and writes wait for the bus in virtual time
      answers.push(...await Promise.all(batch));
    }
    expect(answers).toHaveLength(10_000);
    const bad = answers.filter((a) => a === undefined || typeof a.success !== 'boolean'
      || (!a.success && (typeof a.error?.code !== 'string' || typeof a.error.message !== 'string' || a.error.message === '')));
    expect(bad).toEqual([]);
    const writes = answers.filter((a) => a?.success === true && (a.command === 'write_register' || a.command === 'write_coil'));
    expect(writes).toEqual([]); // no entity is writable and allow_raw_writes is off
    const codes = new Set(answers.filter((a) => a && !a.success).map((a) => a?.error?.code));
    expect([...codes]).toEqual(expect.arrayContaining(['invalid_json', 'unknown_command', 'invalid_argument', 'not_writable']));
    const polls = app.poller.entityStatus('power')?.polls ?? 0;
    await clock.advance(30_000);
    expect((app.poller.entityStatus('power')?.polls ?? 0) - polls).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
