// The built app as a process (node dist/src/main.js) against the test Home Assistant: the demo's
// sensors appear with their attributes, commands from stdin and from HA events get result events
// (malformed ones an error result each), a REST outage leaves polling alone and is caught up, an HA
// restart is survived with every state re-posted, context states reach the optimizer's view, a
// refused token is one fatal line and a non-zero exit, and no token ever reaches the output.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess, type AppProcess } from '../helpers/appProcess.js';
import { FakeHomeAssistant, until } from '../helpers/fakeHomeAssistant.js';
import { freePort } from '../helpers/ports.js';

const TOKEN = 'e2e-long-lived-token-5f3a9c';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-ha-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const resultsOf = (ha: FakeHomeAssistant) => ha.events.filter((e) => e.event_type === 'modbus_optimizer_result').map((e) => e.data);
const resultFor = (ha: FakeHomeAssistant, id: string) => () => resultsOf(ha).find((r) => r.request_id === id);
const ours = (ha: FakeHomeAssistant) => ha.store.list().filter((s) => s.attributes.managed_by === 'modbus_optimizer').map((s) => s.entity_id);

describe('the demo against the test Home Assistant', () => {
  let ha: FakeHomeAssistant;
  let app: AppProcess;

  beforeAll(async () => {
    ha = new FakeHomeAssistant({ token: TOKEN });
    await ha.start();
    app = startAppProcess({ DATA_DIR: dir, HA_URL: ha.url, HA_TOKEN: TOKEN });
    await app.waitFor(/Connected to Home Assistant 2026\.1\.0/);
  });
  afterAll(async () => {
    app.kill('SIGTERM');
    const { code } = await app.exit();
    await ha.stop();
    expect(code).toBe(0);
    expect(app.output()).not.toContain(TOKEN);
  });

  it('publishes every demo entity and the statistics sensors with their attributes', async () => {
    await until(() => ours(ha).length >= 117 + 11, 'all sensors', 20_000);
    expect(ha.state('sensor.inverter_grid_voltage_l1')).toMatchObject({ attributes: {
      friendly_name: 'Inverter Grid voltage L1', unit_of_measurement: 'V', device_class: 'voltage', state_class: 'measurement', managed_by: 'modbus_optimizer',
    } });
    expect(Number(ha.state('sensor.inverter_grid_voltage_l1')?.state)).toBeGreaterThan(200);
    expect(ha.state('sensor.inverter_serial')?.state).toBe('HY5K2024A0117');
    expect(ha.state('binary_sensor.inverter_export_enabled')?.state).toBe('on');
    expect(ha.state('sensor.inverter_pv_energy_total')?.attributes).toMatchObject({ state_class: 'total_increasing', device_class: 'energy' });
    expect(ha.state('sensor.modbus_optimizer_entities_polled')?.attributes).toMatchObject({ configured: 117 });
  });

  it('answers a stdin command and an HA event command with result events', async () => {
    app.write('{"command": "read_now", "entity": "inverter_firmware_master", "request_id": "stdin-1"}\n');
    ha.fireEvent('modbus_optimizer_command', { command: 'write_coil', entity: 'inverter_export_enabled', value: false, request_id: 'event-1' }, 'user-e2e');
    expect(await until(resultFor(ha, 'stdin-1'), 'stdin result')).toMatchObject({ success: true, result: { value: 1412 } });
    expect(await until(resultFor(ha, 'event-1'), 'event result')).toMatchObject({ success: true, result: { verified: true } });
    await until(() => ha.state('binary_sensor.inverter_export_enabled')?.state === 'off', 'coil state in HA');
    expect(app.output()).toMatch(/Command write_coil \[event-1\] from HA user user-e2e/);
  });

  it('answers each malformed command with an error result and keeps running', async () => {
    const lines = ['not json', '42', '{"request_id": "m3"}', '{"command": "fly", "request_id": "m4"}',
      '{"command": "read_now", "request_id": "m5"}', '{"command": "read_now", "entity": "nope", "request_id": "m6"}'];
    const before = resultsOf(ha).length;
    for (const line of lines) app.write(`${line}\n`);
    const got = await until(() => { const r = resultsOf(ha).slice(before); return r.length >= lines.length && r; }, 'error results');
    expect(got.map((r) => (r.error as { code: string }).code)).toEqual(
      ['invalid_json', 'not_an_object', 'missing_argument', 'unknown_command', 'missing_argument', 'unknown_entity']);
    app.write('{"command": "get_statistics", "request_id": "alive"}\n');
    expect(await until(resultFor(ha, 'alive'), 'still answering')).toMatchObject({ success: true });
  });

  it('keeps polling through a REST outage and catches up afterwards', async () => {
    ha.restFailure = 503;
    app.write('{"command": "get_statistics", "request_id": "o1"}\n');
    const polls = (id: string) => ((resultFor(ha, id)()?.result as { entities: Array<{ id: string; polls: number }> }).entities
      .find((e) => e.id === 'inverter_grid_voltage_l1')?.polls ?? 0);
    await until(resultFor(ha, 'o1'), 'statistics during the outage');
    await new Promise((r) => setTimeout(r, 6_000));
    app.write('{"command": "get_statistics", "request_id": "o2"}\n');
    await until(resultFor(ha, 'o2'), 'statistics later in the outage');
    expect(polls('o2')).toBeGreaterThan(polls('o1'));
    const failedPosts = ha.posts.filter((p) => p.status === 503).length;
    expect(failedPosts).toBeGreaterThan(0);
    ha.restFailure = undefined;
    await app.waitFor(/Home Assistant accepts states again/);
  });

  it('survives a Home Assistant restart and posts every state again', async () => {
    const before = ours(ha).sort();
    await ha.restart();
    expect(ours(ha)).toEqual([]);
    await until(() => before.every((id) => ha.state(id)), 'every state re-posted', 20_000);
    ha.fireEvent('modbus_optimizer_command', { command: 'read_now', entity: 'inverter_grid_frequency', request_id: 'after-restart' }, 'u');
    expect(await until(resultFor(ha, 'after-restart'), 'result after restart')).toMatchObject({ success: true });
  });
});

describe('the app at trace level with context entities', () => {
  it('passes context states to the optimizer view and never prints the token', async () => {
    const ha = new FakeHomeAssistant({ token: TOKEN });
    await ha.start();
    ha.setState('sun.sun', 'above_horizon');
    const file = path.join(dir, 'trace.yaml');
    await writeFile(file, [
      'log_level: trace', 'context_entities: [sun.sun]',
      'connections:', `  - {name: gw, host: 127.0.0.1, port: ${await freePort()}, timeout_ms: 200}`,
      'entities:', '  - {name: Power, connection: gw, address: 1, scan_interval: 1}',
    ].join('\n'));
    const app = startAppProcess({ OPTIONS_FILE: file, DATA_DIR: dir, HA_URL: ha.url, HA_TOKEN: TOKEN });
    try {
      await app.waitFor(/Connected to Home Assistant/);
      ha.setState('sun.sun', 'below_horizon');
      await app.waitFor(/Context sun\.sun: above_horizon → below_horizon/);
      app.write('{"command": "get_statistics", "request_id": "ctx"}\n');
      const r = await until(resultFor(ha, 'ctx'), 'statistics');
      expect((r.result as { context: Record<string, { state: string }> }).context['sun.sun']?.state).toBe('below_horizon');
      await app.waitFor(/TRACE POST sensor\.modbus_optimizer_/);
    } finally {
      app.kill('SIGTERM');
      await app.exit();
      await ha.stop();
    }
    expect(app.output()).not.toContain(TOKEN);
  });
});

describe('a refused token', () => {
  it('is one clear fatal line and a non-zero exit', async () => {
    const ha = new FakeHomeAssistant({ token: 'the-right-one' });
    await ha.start();
    const app = startAppProcess({ DATA_DIR: dir, HA_URL: ha.url, HA_TOKEN: TOKEN });
    const { code } = await app.exit();
    await ha.stop();
    expect(code).not.toBe(0);
    const fatal = app.output().split('\n').filter((l) => / FATAL /.test(l));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(/Home Assistant at ws:\/\/127\.0\.0\.1:\d+\/api\/websocket rejected the access token/);
    expect(app.output()).not.toContain(TOKEN);
  });
});

describe('a malformed HA_URL', () => {
  it('is a configuration error (exit 2) naming the variable', async () => {
    const app = startAppProcess({ DATA_DIR: dir, HA_URL: 'homeassistant.local:8123', HA_TOKEN: TOKEN });
    const { code } = await app.exit();
    expect(code).toBe(2);
    expect(app.output()).toContain('HA_URL "homeassistant.local:8123" must start with http:// or https://');
    expect(app.output()).not.toContain(TOKEN);
  });
});
