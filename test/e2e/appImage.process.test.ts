// The app started the way its image starts it (the Dockerfile's CMD, `node dist/src/main.js`, from the
// app folder) in app mode: SUPERVISOR_TOKEN set, the supervisor's Core proxy replaced by the test Home
// Assistant (HA_URL), /data by a temp dir holding the options.json the supervisor would write, /config by
// a temp dir. It connects, publishes the sensors of an SDM630 configured by template and of a register
// file in the config folder, answers a command from stdin, and on SIGTERM
// saves its state and exits 0 well inside config.yaml's stop timeout.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { createSystemClock } from '../../src/core/clock.js';
import { meterDevice } from '../../src/sim/devices/meter.js';
import { SimModbusTcpServer } from '../../src/sim/modbusTcpServer.js';
import { SimDevice } from '../../src/sim/simDevice.js';
import { startAppProcess, type AppProcess } from '../helpers/appProcess.js';
import { FakeHomeAssistant, until } from '../helpers/fakeHomeAssistant.js';
import { findRepoRoot } from '../helpers/pymodbusServer.js';

const TOKEN = 'supervisor-token-7c1e0b';
const root = findRepoRoot();

/** The exec-form CMD of the image's last stage, e.g. ["node", "dist/src/main.js"]. */
function imageCommand(): string[] {
  const cmd = readFileSync(path.join(root, 'Dockerfile'), 'utf8').split('\n').filter((l) => l.startsWith('CMD ')).pop() ?? '';
  return JSON.parse(cmd.slice(4)) as string[];
}

describe('the app as the image runs it, in app mode', () => {
  let dataDir: string;
  let configDir: string;
  let ha: FakeHomeAssistant;
  let server: SimModbusTcpServer;
  let app: AppProcess;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mbo-data-'));
    configDir = await mkdtemp(path.join(os.tmpdir(), 'mbo-config-'));
    const clock = createSystemClock();
    server = new SimModbusTcpServer({ clock, devices: [new SimDevice(meterDevice({ name: 'meter', unitId: 3, turnaroundMs: 2 }), 1, clock.now())] });
    const port = await server.start();
    ha = new FakeHomeAssistant({ token: TOKEN });
    await ha.start();
    // what the supervisor writes: config.yaml's options with the user's changes
    const options = parse(readFileSync(path.join(root, 'config.yaml'), 'utf8')).options as Record<string, unknown>;
    await writeFile(path.join(dataDir, 'options.json'), JSON.stringify({
      ...options,
      connections: [{ name: 'gateway', host: '127.0.0.1', port, timeout_ms: 1000 }],
      devices: [{ template: 'eastron_sdm630', connection: 'gateway', unit_id: 3, prefix: 'grid_meter' }],
      register_files: ['meter-extra.yaml'],
    }));
    // a register file in the app's config folder (/config)
    await writeFile(path.join(configDir, 'meter-extra.yaml'), [
      'entities:',
      '  - {name: Meter frequency check, connection: gateway, unit_id: 3, register_type: input, address: 70, data_type: float32, unit_of_measurement: Hz}',
    ].join('\n'));
    expect(imageCommand()).toEqual(['node', 'dist/src/main.js']);
    app = startAppProcess({ SUPERVISOR_TOKEN: TOKEN, HA_URL: ha.url, DATA_DIR: dataDir, CONFIG_DIR: configDir });
  });
  afterAll(async () => {
    app.kill('SIGKILL');
    await ha.stop();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(configDir, { recursive: true, force: true });
  });

  it('connects with the supervisor token and publishes the meter from its template and the register file', async () => {
    await app.waitFor(/Connected to Home Assistant/);
    const voltage = await until(() => ha.state('sensor.grid_meter_voltage_l1'), 'voltage sensor');
    expect(voltage.attributes).toMatchObject({
      friendly_name: 'Grid meter Voltage L1', unit_of_measurement: 'V', device_class: 'voltage', managed_by: 'modbus_optimizer',
    });
    expect(Number(voltage.state)).toBeGreaterThan(200);
    const energy = await until(() => ha.state('sensor.grid_meter_import_energy'), 'energy sensor');
    expect(energy.attributes).toMatchObject({ unit_of_measurement: 'kWh', state_class: 'total_increasing' });
    expect(Number(energy.state)).toBeGreaterThan(5000);
    const frequency = await until(() => ha.state('sensor.meter_frequency_check'), 'sensor from the register file');
    expect(Number(frequency.state)).toBeCloseTo(50, 0);
  });

  it('answers a command written to its stdin (hassio.app_stdin)', async () => {
    app.write('{"command": "read_now", "entity": "grid_meter_voltage_l1", "request_id": "image-1"}\n');
    const result = await until(() => ha.events.find((e) => e.event_type === 'modbus_optimizer_result' && e.data.request_id === 'image-1'), 'result');
    expect(result.data).toMatchObject({ success: true });
  });

  it('stops on SIGTERM with exit code 0, its state saved, well inside the stop timeout', async () => {
    const timeoutS = (parse(readFileSync(path.join(root, 'config.yaml'), 'utf8')) as { timeout: number }).timeout;
    const started = performance.now();
    app.kill('SIGTERM');
    const { code } = await app.exit();
    const tookS = (performance.now() - started) / 1000;
    expect(code).toBe(0);
    expect(tookS).toBeLessThan(timeoutS / 3);
    expect(existsSync(path.join(dataDir, 'modbus_optimizer_state.json'))).toBe(true);
    expect(app.output()).toMatch(/SIGTERM received, stopping/);
    expect(app.output()).not.toContain(TOKEN);
  });
});
