// Commands through both doors (stdin JSON lines as hassio.app_stdin writes them, and
// modbus_optimizer_command events), results as modbus_optimizer_result events, the caller kept
// with each command, writes read back, and an error result naming the problem for every kind of
// malformed input, with the process carrying on.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { CommandOutcome } from '../../src/commands/types.js';
import { FakeHomeAssistant } from '../helpers/fakeHomeAssistant.js';
import type { HaBusEvent } from '../helpers/fakeHaSession.js';
import { buildRig, TOKEN, type Rig } from '../helpers/haRig.js';

let ha: FakeHomeAssistant;
let rig: Rig;
let outcomes: CommandOutcome[];

beforeEach(async () => {
  ha = new FakeHomeAssistant({ token: TOKEN });
  await ha.start();
  rig = buildRig(ha, { allowRawWrites: true });
  outcomes = [];
  rig.app.events.on('test', 'commandHandled', (o) => outcomes.push(o));
  await rig.app.start();
  await rig.advanceUntil(() => ha.state('sensor.setpoint') && ha.clients() === 1, 'connected and published');
});
afterEach(async () => {
  await rig.stop();
  expect(rig.logger.lines.filter((l) => l.includes(TOKEN))).toEqual([]);
  await ha.stop();
});

const results = (): Array<Record<string, unknown>> =>
  ha.events.filter((e: HaBusEvent) => e.event_type === 'modbus_optimizer_result').map((e) => e.data);
const resultFor = (requestId: string) => () => results().find((r) => r.request_id === requestId);

describe('commands', () => {
  it('answers a stdin line and an HA event with result events, keeping who sent each', async () => {
    rig.stdin.write('{"command": "read_now", "entity": "setpoint", "request_id": "s1"}\n');
    ha.fireEvent('modbus_optimizer_command', { command: 'get_statistics', request_id: 'e1' }, 'user-7');
    const s1 = await rig.advanceUntil(resultFor('s1'), 'stdin result');
    const e1 = await rig.advanceUntil(resultFor('e1'), 'event result');
    expect(s1).toMatchObject({ command: 'read_now', success: true, result: { entity: 'setpoint', value: 42 } });
    expect(e1).toMatchObject({ command: 'get_statistics', success: true });
    expect(Object.keys((e1.result as { sensors: object }).sensors)).toContain('requests_per_minute');
    expect(outcomes.map((o) => [o.result.request_id, o.caller])).toEqual(expect.arrayContaining([
      ['s1', { source: 'stdin' }], ['e1', { source: 'event', userId: 'user-7' }],
    ]));
    expect(rig.logger.lines.some((l) => l.startsWith('INFO Command get_statistics [e1] from HA user user-7'))).toBe(true);
  });

  it('writes a register through its entity, reads it back, and the sensor follows', async () => {
    rig.stdin.write(`${JSON.stringify({ command: 'write_register', entity: 'sensor.setpoint', value: 55, request_id: 'w1' })}\n`);
    const w1 = await rig.advanceUntil(resultFor('w1'), 'write result');
    expect(w1).toMatchObject({ success: true, result: { entity: 'setpoint', written: 55, words: [55], read_back: 55, verified: true } });
    await rig.advanceUntil(() => ha.state('sensor.setpoint')?.state === '55', 'sensor updated');
  });

  it('writes raw registers and coils by address and reads them back', async () => {
    ha.fireEvent('modbus_optimizer_command', { command: 'write_register', address: 2, unit_id: 1, connection: 'sim', value: [7, 8], request_id: 'r1' }, 'u');
    ha.fireEvent('modbus_optimizer_command', { command: 'write_coil', entity: 'relay', value: false, request_id: 'c1' }, 'u');
    expect(await rig.advanceUntil(resultFor('r1'), 'raw write')).toMatchObject({
      success: true, result: { connection: 'sim', unit_id: 1, address: 2, written: [7, 8], read_back: [7, 8], verified: true },
    });
    expect(await rig.advanceUntil(resultFor('c1'), 'coil write')).toMatchObject({ success: true, result: { written: false, read_back: false, verified: true } });
    await rig.advanceUntil(() => ha.state('binary_sensor.relay')?.state === 'off', 'relay off in HA');
  });

  it('answers every malformed input with an error result naming the problem, and carries on', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['this is not json', 'invalid_json', /not valid JSON/],
      ['"get_statistics"', 'not_an_object', /got a string/],
      ['[1, 2]', 'not_an_object', /got a list/],
      ['{}', 'missing_argument', /command is required \(one of get_statistics, read_now/],
      ['{"command": 5}', 'invalid_argument', /command must be a string/],
      ['{"command": "reboot"}', 'unknown_command', /unknown command "reboot"; known: get_statistics/],
      ['{"command": "read_now"}', 'missing_argument', /entity is required/],
      ['{"command": "read_now", "entity": 7}', 'invalid_argument', /entity 7 is not a non-empty string/],
      ['{"command": "read_now", "entity": "nope"}', 'unknown_entity', /entity "nope" is not configured \(known: setpoint, power/],
      ['{"command": "read_now", "entity": "power", "entitty": 1}', 'invalid_argument', /entitty is not an argument of this command \(did you mean entity\?\)/],
      ['{"command": "write_register", "entity": "power", "value": 1}', 'not_writable', /input register \(read-only\)/],
      ['{"command": "write_register", "entity": "relay", "value": 1}', 'not_writable', /use write_coil/],
      ['{"command": "write_register", "entity": "setpoint", "value": 70000}', 'invalid_argument', /outside the uint16 range/],
      ['{"command": "write_register", "entity": "setpoint"}', 'missing_argument', /value is required/],
      ['{"command": "write_register", "address": 1, "value": [1, -1]}', 'invalid_argument', /register word 0\.\.65535/],
      ['{"command": "write_register", "address": 1, "connection": "elsewhere", "value": 1}', 'invalid_argument', /connection "elsewhere" is not configured/],
      ['{"command": "write_register", "entity": "setpoint", "address": 1, "value": 1}', 'invalid_argument', /either entity or address/],
      ['{"command": "write_coil", "entity": "relay", "value": "yes"}', 'invalid_argument', /true or false/],
      ['{"command": "write_register", "entity": "dial", "value": 1}', 'not_writable', /entity dial is not writable: set writable: true/],
      ['{"command": "write_register", "entity": "setpoint", "value": 61}', 'invalid_argument', /value 61 for setpoint is above its max 60/],
      ['{"command": "write_register", "address": 1, "unit_id": 0, "value": 1}', 'invalid_argument', /unit_id 0 is the broadcast address.*"broadcast": true/],
      ['{"command": "write_coil", "address": 1, "unit_id": 250, "value": true}', 'invalid_argument', /unit_id 250 is reserved \(248–255\)/],
      ['{"command": "write_register", "entity": "setpoint", "value": 5, "broadcast": true}', 'invalid_argument', /broadcast is only for raw writes/],
      ['{"command": "get_statistics", "request_id": {"a": 1}}', 'invalid_argument', /request_id must be a string or a number/],
    ];
    for (const [line] of cases) rig.stdin.write(`${line}\n`);
    rig.stdin.write('\n   \n'); // blank lines are no commands
    await rig.advanceUntil(() => results().length >= cases.length, 'all error results');
    const got = results();
    expect(got).toHaveLength(cases.length);
    cases.forEach(([line, code, message], i) => {
      const r = got[i] as { success: boolean; error: { code: string; message: string } };
      expect({ line, success: r.success, code: r.error.code }).toEqual({ line, success: false, code });
      expect(r.error.message).toMatch(message);
    });
    ha.fireEvent('modbus_optimizer_command', { command: 'nope', request_id: 9 }, 'u');
    expect(await rig.advanceUntil(() => results().find((r) => r.request_id === 9), 'event error')).toMatchObject({ success: false, error: { code: 'unknown_command' } });
    rig.stdin.write('{"command": "read_now", "entity": "power", "request_id": "after"}\n');
    expect(await rig.advanceUntil(resultFor('after'), 'still working')).toMatchObject({ success: true });
  });

  it('holds results while Home Assistant is away and fires them when it is back', async () => {
    await ha.stop();
    rig.stdin.write('{"command": "get_statistics", "request_id": "held"}\n');
    await rig.advanceUntil(() => outcomes.some((o) => o.result.request_id === 'held'), 'handled');
    await ha.start();
    expect(await rig.advanceUntil(resultFor('held'), 'held result fired')).toMatchObject({ success: true });
  });

  it('takes commands from events again after Home Assistant restarts (re-subscribed)', async () => {
    await ha.restart();
    await rig.advanceUntil(() => rig.app.homeAssistant.link?.readies === 2, 'reconnected');
    ha.fireEvent('modbus_optimizer_command', { command: 'read_now', entity: 'relay', request_id: 'again' }, 'u2');
    expect(await rig.advanceUntil(resultFor('again'), 'result after restart')).toMatchObject({ success: true, result: { value: true } });
  });
});

describe('writes without permission', () => {
  it('refuse raw-address writes unless allow_raw_writes is set, and audit every write with its caller', async () => {
    await rig.stop();
    rig = buildRig(ha, { optimizer: undefined });
    await rig.app.start();
    await rig.advanceUntil(() => ha.clients() >= 1, 'connected');
    rig.stdin.write('{"command": "write_register", "address": 2, "value": 7, "request_id": "raw"}\n');
    rig.stdin.write('{"command": "write_coil", "address": 2, "unit_id": 0, "broadcast": true, "value": true, "request_id": "bc"}\n');
    ha.fireEvent('modbus_optimizer_command', { command: 'write_register', entity: 'setpoint', value: 33, request_id: 'ok' }, 'user-9');
    expect(await rig.advanceUntil(resultFor('raw'), 'raw refused')).toMatchObject({ success: false, error: { code: 'not_writable', message: expect.stringMatching(/writes by address are off.*allow_raw_writes: true/) } });
    expect(await rig.advanceUntil(resultFor('bc'), 'broadcast refused')).toMatchObject({ success: false, error: { code: 'not_writable' } });
    expect(await rig.advanceUntil(resultFor('ok'), 'entity write')).toMatchObject({ success: true, result: { verified: true } });
    expect(rig.logger.lines.some((l) => l.includes('Audit: user-9 write_register setpoint → 33'))).toBe(true);
    expect(rig.logger.lines.filter((l) => l.includes('Audit:'))).toHaveLength(1);
  });

  it('a broadcast, when declared, is written and never read back', async () => {
    rig.stdin.write('{"command": "write_coil", "address": 2, "unit_id": 0, "broadcast": true, "value": true, "request_id": "bc2"}\n');
    expect(await rig.advanceUntil(resultFor('bc2'), 'broadcast')).toMatchObject({ success: true, result: { unit_id: 0, broadcast: true, verified: null } });
  });
});
