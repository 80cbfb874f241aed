// The built app as a process in MQTT mode against Debian's mosquitto, watched from the Home Assistant
// side by a plain MQTT client: the demo (MQTT_URL) leaves retained device-discovery configs for every
// simulated device and the app itself that pass HA's documented schema, every entity's state flows,
// each control round-trips through the command registry, a retained command is refused, HA's birth
// message brings everything again, and kill -9 turns the app offline by its last will. In app mode the
// broker and its credentials come from the supervisor's /services/mqtt, and no password is logged.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess, type AppProcess } from '../helpers/appProcess.js';
import { FakeHomeAssistant } from '../helpers/fakeHomeAssistant.js';
import { checkAcross, checkDeviceDiscovery, type CheckedConfig } from '../helpers/haDiscoverySchema.js';
import { connectHaSide, discoveryConfigs, type HaSide } from '../helpers/haMqttClient.js';
import { startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { freePort } from '../helpers/ports.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-mqtt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Sends a command on the command topic and waits for its result. */
async function command(ha: HaSide, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const id = `t-${Math.random().toString(36).slice(2)}`;
  await ha.publish('modbus_optimizer/command', JSON.stringify({ ...body, request_id: id }));
  return ha.waitFor(() => ha.log.filter((m) => m.topic === 'modbus_optimizer/result').map((m) => JSON.parse(m.payload) as Record<string, unknown>)
    .find((r) => r.request_id === id), `result of ${String(body.command)}`);
}

/** The next result after `from` messages (controls carry no request id). */
function resultAfter(ha: HaSide, from: number, command: string) {
  return ha.waitFor(() => ha.log.slice(from).filter((m) => m.topic === 'modbus_optimizer/result')
    .map((m) => JSON.parse(m.payload) as { command: string | null; success: boolean; error?: { code: string; message: string }; result?: unknown })
    .find((r) => r.command === command || (command === '(refused)' && r.command === null)), `result of ${command}`);
}

describe('the demo with MQTT_URL', () => {
  let broker: Broker;
  let ha: HaSide;
  let app: AppProcess;
  let webPort: number;

  beforeAll(async () => {
    broker = await startMosquitto();
    ha = await connectHaSide(broker.url);
    webPort = await freePort();
    app = startAppProcess({ DATA_DIR: path.join(dir, 'demo'), MQTT_URL: broker.url, WEB_PORT: String(webPort) });
    await app.waitFor(/MQTT: connected to/);
    // `online` goes out once the command topics are subscribed: only then can a command arrive
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/status') === 'online' || undefined, 'the app online');
  });
  afterAll(async () => {
    app.kill('SIGKILL');
    await app.exit();
    await ha.close();
    await broker.stop();
  });

  it('holds a valid retained discovery config for every simulated device and the app, covering every entity', async () => {
    const stats = await command(ha, { command: 'get_statistics' }) as { result: { entities: Array<{ id: string }> } };
    const ids = stats.result.entities.map((e) => e.id);
    expect(ids.length).toBe(117);
    const configs = await ha.waitFor(() => {
      const c = discoveryConfigs(ha);
      const covered = new Set([...c.values()].flatMap((x) => Object.keys(x.json.cmps)));
      return ids.every((id) => covered.has(id)) && c.size >= 4 ? c : undefined;
    }, 'configs covering every entity');
    expect([...configs.keys()].sort()).toEqual(['modbus_optimizer', 'modbus_optimizer_gateway_heat_pump_unit_3', 'modbus_optimizer_gateway_unit_1', 'modbus_optimizer_gateway_unit_2']);
    const checked: CheckedConfig[] = [];
    for (const { topic, payload } of configs.values()) {
      const { problems, config } = checkDeviceDiscovery(topic, payload);
      expect(problems).toEqual([]);
      if (config) checked.push(config);
    }
    expect(checkAcross(checked)).toEqual([]);
    // retained: a client that connects now gets them all
    const late = await connectHaSide(broker.url, ['homeassistant/device/+/config']);
    await late.waitFor(() => late.latest.size >= 4 || undefined, 'retained configs');
    expect(late.log.every((m) => m.retain)).toBe(true);
    await late.close();
    const unit1 = configs.get('modbus_optimizer_gateway_unit_1')?.json;
    expect(unit1?.cmps.inverter_grid_voltage_l1).toMatchObject({
      p: 'sensor', uniq_id: 'modbus_optimizer_inverter_grid_voltage_l1', default_entity_id: 'sensor.inverter_grid_voltage_l1',
      unit_of_meas: 'V', dev_cla: 'voltage', stat_cla: 'measurement', name: 'Inverter Grid voltage L1',
    });
    expect(unit1?.cmps.inverter_export_enabled).toMatchObject({ p: 'binary_sensor', default_entity_id: 'binary_sensor.inverter_export_enabled' });
    expect(unit1?.cmps.read_now_gateway_unit_1).toMatchObject({ p: 'button' });
    const own = configs.get('modbus_optimizer')?.json.cmps ?? {};
    expect(Object.values(own).map((c) => c.p).sort()).toEqual(expect.arrayContaining(['button', 'number', 'select', 'switch', 'sensor']));
  });

  it('publishes every entity state, the availability of app, devices and entities, and freshness attributes', async () => {
    const stats = await command(ha, { command: 'get_statistics' }) as { result: { entities: Array<{ id: string }> } };
    await ha.waitFor(() => stats.result.entities.every((e) => ha.latest.has(`modbus_optimizer/entity/${e.id}/state`)) || undefined, 'every state');
    expect(Number(ha.latest.get('modbus_optimizer/entity/inverter_grid_voltage_l1/state'))).toBeGreaterThan(200);
    expect(ha.latest.get('modbus_optimizer/entity/inverter_serial/state')).toBe('HY5K2024A0117');
    expect(['ON', 'OFF']).toContain(ha.latest.get('modbus_optimizer/entity/inverter_export_enabled/state'));
    expect(ha.latest.get('modbus_optimizer/status')).toBe('online');
    expect(ha.latest.get('modbus_optimizer/device/gateway_unit_1/availability')).toBe('online');
    expect(ha.latest.get('modbus_optimizer/entity/inverter_grid_voltage_l1/availability')).toBe('online');
    const attrs = JSON.parse(ha.latest.get('modbus_optimizer/entity/inverter_grid_voltage_l1/attributes') ?? '{}') as Record<string, unknown>;
    expect(attrs).toMatchObject({ interval_s: expect.any(Number) });
    expect(Object.keys(attrs).sort()).toEqual(['change_rate_per_hour', 'expected_age_s', 'interval_s', 'last_change', 'last_read']);
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/statistics/entities_polled') === '117' || undefined, 'the entities_polled statistic');
  });

  it('shows on the dashboard that MQTT carries the entities and is connected', async () => {
    const overview = await (await fetch(`http://127.0.0.1:${webPort}/api/overview`)).json() as { transport: unknown };
    expect(overview.transport).toEqual({ kind: 'mqtt', connected: true, target: broker.url });
  });

  it('runs each control through the command registry and shows its new state', async () => {
    let from = ha.log.length;
    await ha.publish('modbus_optimizer/control/run_quick_optimization/set', 'PRESS');
    expect(await resultAfter(ha, from, 'run_quick_optimization')).toMatchObject({ success: true });

    from = ha.log.length;
    await ha.publish('modbus_optimizer/control/interval_aggressiveness/set', '0.3');
    expect(await resultAfter(ha, from, 'update_strategy_parameters')).toMatchObject({ success: true, result: { after: { aggressiveness: 0.3 } } });
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/control/interval_aggressiveness/state') === '0.3' || undefined, 'number state 0.3');

    from = ha.log.length;
    await ha.publish('modbus_optimizer/control/interval_aggressiveness/set', '7');
    expect(await resultAfter(ha, from, 'update_strategy_parameters')).toMatchObject({ success: false, error: { code: 'invalid_argument', message: expect.stringMatching(/outside 0…1/) } });
    from = ha.log.length;
    await ha.publish('modbus_optimizer/control/interval_aggressiveness/set', 'lots');
    expect(await resultAfter(ha, from, '(refused)')).toMatchObject({ success: false, error: { code: 'invalid_argument', message: expect.stringMatching(/"lots" is not a number/) } });

    from = ha.log.length;
    await ha.publish('modbus_optimizer/control/goal/set', 'freshest');
    expect(await resultAfter(ha, from, 'set_optimizer')).toMatchObject({ success: true, result: { before: { goal: 'save_bus' }, after: { goal: 'freshest' } } });
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/control/goal/state') === 'freshest' || undefined, 'goal state');

    from = ha.log.length;
    await ha.publish('modbus_optimizer/control/enabled/set', 'OFF');
    expect(await resultAfter(ha, from, 'set_optimizer')).toMatchObject({ success: true, result: { after: { enabled: false } } });
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/control/enabled/state') === 'OFF' || undefined, 'switch state');

    from = ha.log.length;
    await ha.publish('modbus_optimizer/control/read_now_gateway_unit_2/set', 'PRESS');
    const read = await resultAfter(ha, from, 'read_now') as { success: boolean; result: { device: string; values: Record<string, unknown> } };
    expect(read.success).toBe(true);
    expect(read.result.device).toBe('gateway_unit_2');
    expect(Object.keys(read.result.values).length).toBeGreaterThan(10);
    // writable entities: a number and a switch, their state the value read back
    const own = discoveryConfigs(ha).get('modbus_optimizer_gateway_heat_pump_unit_3')?.json.cmps ?? {};
    expect(own.set_heat_pump_flow_setpoint).toMatchObject({ p: 'number', default_entity_id: 'number.heat_pump_flow_setpoint', stat_t: 'modbus_optimizer/entity/heat_pump_flow_setpoint/state', unit_of_meas: '°C', step: 0.1 });
    expect(own.set_heat_pump_serial).toBeUndefined();
    expect(own.set_heat_pump_flow_temperature).toBeUndefined(); // not writable
    from = ha.log.length;
    await ha.publish('modbus_optimizer/control/set_heat_pump_flow_setpoint/set', '42.5');
    expect(await resultAfter(ha, from, 'write_register')).toMatchObject({ success: true, result: { entity: 'heat_pump_flow_setpoint', read_back: 42.5, verified: true } });
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/entity/heat_pump_flow_setpoint/state') === '42.5' || undefined, 'setpoint read back');
    from = ha.log.length;
    await ha.publish('modbus_optimizer/control/set_inverter_eps_enabled/set', 'ON');
    expect(await resultAfter(ha, from, 'write_coil')).toMatchObject({ success: true, result: { verified: true } });
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/entity/inverter_eps_enabled/state') === 'ON' || undefined, 'switch read back');
    expect(app.output()).toMatch(/Audit: mqtt write_coil inverter_eps_enabled → true/);
    // the audit names the caller
    const stats = await command(ha, { command: 'get_statistics' }) as { result: { optimizer: Record<string, unknown> } };
    expect(stats.result.optimizer).toBeDefined();
    expect(app.output()).toMatch(/Command set_optimizer from MQTT/);
  });

  it('sends discovery and states again when Home Assistant announces itself', async () => {
    const from = ha.log.length;
    await ha.publish('homeassistant/status', 'online');
    await ha.waitFor(() => ha.log.slice(from).filter((m) => /^homeassistant\/device\/.+\/config$/.test(m.topic)).length >= 4 || undefined, 'configs again');
    await ha.waitFor(() => ha.log.slice(from).some((m) => m.topic === 'modbus_optimizer/entity/inverter_serial/state') || undefined, 'states again');
    await app.waitFor(/Home Assistant announced itself/);
  });

  it('goes offline by its last will when killed, and after a restart refuses a retained command (it would run at every connect)', async () => {
    await ha.publish('modbus_optimizer/control/run_full_optimization/set', 'PRESS', true);
    await app.waitFor(/Command run_full_optimization from MQTT/);
    app.kill('SIGKILL');
    await app.exit();
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/status') === 'offline' || undefined, 'offline by last will');
    const from = ha.log.length;
    app = startAppProcess({ DATA_DIR: path.join(dir, 'demo'), MQTT_URL: broker.url });
    await app.waitFor(/ignored a retained message on modbus_optimizer\/control\/run_full_optimization\/set/);
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/status') === 'online' || undefined, 'online again');
    await ha.publish('modbus_optimizer/control/run_full_optimization/set', '', true);
    await new Promise((r) => setTimeout(r, 500));
    expect(app.output()).not.toMatch(/Command run_full_optimization/);
    expect(ha.log.slice(from).filter((m) => m.topic === 'modbus_optimizer/result')).toEqual([]);
  });
});

describe('app mode: the broker from the supervisor', () => {
  const TOKEN = 'supervisor-token-9c1e';
  const PASSWORD = 'mqtt-secret-4b7d2f';
  let broker: Broker;
  let fakeHa: FakeHomeAssistant;
  let ha: HaSide;

  beforeAll(async () => {
    broker = await startMosquitto({ username: 'addons', password: PASSWORD });
    fakeHa = new FakeHomeAssistant({ token: TOKEN });
    await fakeHa.start();
    fakeHa.mqttService = { host: '127.0.0.1', port: broker.port, ssl: false, username: 'addons', password: PASSWORD, protocol: '3.1.1' };
    ha = await connectHaSide(broker.url, ['homeassistant/#', 'modbus_optimizer/#'], { username: 'addons', password: PASSWORD });
  });
  afterAll(async () => {
    await ha.close();
    await fakeHa.stop();
    await broker.stop();
  });

  it('connects with the credentials /services/mqtt gives, publishes the app device, says offline on a clean stop, and never logs the password', async () => {
    const data = path.join(dir, 'app');
    await rm(data, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(data, { recursive: true });
    await writeFile(path.join(data, 'options.json'), JSON.stringify({ log_level: 'debug' }));
    const app = startAppProcess({ SUPERVISOR_TOKEN: TOKEN, HA_URL: fakeHa.url, SUPERVISOR_URL: fakeHa.url, DATA_DIR: data, CONFIG_DIR: data });
    try {
      await app.waitFor(/broker mqtt:\/\/127\.0\.0\.1:\d+ as addons \(from the supervisor \(Mosquitto app\)\)/);
      await ha.waitFor(() => discoveryConfigs(ha).get('modbus_optimizer'), 'the app device');
      const { topic, payload } = discoveryConfigs(ha).get('modbus_optimizer') ?? { topic: '', payload: '' };
      expect(checkDeviceDiscovery(topic, payload).problems).toEqual([]);
      await ha.waitFor(() => ha.latest.get('modbus_optimizer/status') === 'online' || undefined, 'online');
    } finally {
      app.kill('SIGTERM');
      expect((await app.exit()).code).toBe(0);
    }
    await ha.waitFor(() => ha.latest.get('modbus_optimizer/status') === 'offline' || undefined, 'offline after a clean stop');
    expect(app.output()).not.toContain(PASSWORD);
    expect(app.output()).not.toContain(TOKEN);
  });

  it('falls back to REST states when the supervisor has no MQTT service', async () => {
    fakeHa.mqttService = undefined;
    const data = path.join(dir, 'app-rest');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(data, { recursive: true });
    await writeFile(path.join(data, 'options.json'), JSON.stringify({}));
    const app = startAppProcess({ SUPERVISOR_TOKEN: TOKEN, HA_URL: fakeHa.url, SUPERVISOR_URL: fakeHa.url, DATA_DIR: data, CONFIG_DIR: data });
    try {
      await app.waitFor(/Connected to Home Assistant/);
      await new Promise((r) => setTimeout(r, 500));
      expect(app.output()).not.toMatch(/MQTT/);
      expect(fakeHa.posts.some((p) => p.entityId.startsWith('sensor.modbus_optimizer_'))).toBe(true);
    } finally {
      app.kill('SIGTERM');
      await app.exit();
    }
  });
});
