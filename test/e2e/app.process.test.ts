import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess } from '../helpers/appProcess.js';
import { freePort } from '../helpers/ports.js';
import { startPymodbusServer, type PymodbusServer } from '../helpers/pymodbusServer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-app-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the app as a process (node dist/src/main.js)', () => {
  it('exits 2 before starting anything, listing every bad option with its item and field', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, [
      'log_level: loud',
      'connections:',
      '  - name: gw',
      '    host: 127.0.0.1',
      'entities:',
      '  - name: Grid power',
      '    connection: gw',
      '    address: 1',
      '    data_type: flaot32',
      '  - name: Label',
      '    connection: gw',
      '    address: 2',
      '    data_type: string',
      '  - name: Energy',
      '    connection: nowhere',
      '    address: 3',
      '    data_type: int32',
      '    count: 3',
      '  - name: Energy',
      '    connection: gw',
      '    address: 9',
      '    colour: red',
    ].join('\n'));
    const app = startAppProcess({ OPTIONS_FILE: file, DATA_DIR: dir });
    const { code } = await app.exit();
    const out = app.output();
    expect(code).toBe(2);
    expect(out).toContain('log_level "loud" is not one of trace, debug, info, notice, warning, error, fatal');
    expect(out).toContain('entities[0] (Grid power): data_type "flaot32" is not one of int16, uint16, int32, uint32, int64, uint64, float16, float32, float64, string, bool');
    expect(out).toMatch(/entities\[1\] \(Label\): count .*string/);
    expect(out).toMatch(/entities\[2\] \(Energy\): connection "nowhere"/);
    expect(out).toMatch(/entities\[2\] \(Energy\): count 3/);
    expect(out).toMatch(/entities\[3\] \(Energy\): colour is not a known option/);
    expect(out).toContain('entities[3] (Energy): id "energy" is already used by entities[2] (Energy)');
    expect(out).not.toMatch(/Polling|connected/);
  });

  it('exits 2 naming the file when the options file is missing', async () => {
    const app = startAppProcess({ OPTIONS_FILE: path.join(dir, 'nope.yaml'), DATA_DIR: dir });
    const { code } = await app.exit();
    expect(code).toBe(2);
    expect(app.output()).toContain('nope.yaml');
  });

  it('runs the demo with no options file, polls real values, logs compact lines and stops cleanly on SIGTERM', async () => {
    const app = startAppProcess({ DATA_DIR: dir });
    const m = await app.waitFor(/First poll complete: (\d+) read, (\d+) failed; (\d+) requests per full cycle, (\d+) illegal-address ranges learned/);
    expect(m[1]).toBe('117'); // the solar-home site: inverter, meter and heat pump
    expect(m[2]).toBe('0');
    expect(Number(m[3])).toBeGreaterThan(2); // three devices, several blocks each ...
    expect(Number(m[3])).toBeLessThan(40); // ... but far fewer requests than entities
    expect(Number(m[4])).toBeGreaterThanOrEqual(1);
    expect(app.output()).toMatch(/unit 1 fc4: registers 11\.\.15 answer "illegal data address"/);
    for (const [entity, value] of [['inverter_serial', '"HY5K2024A0117"'], ['meter_voltage_l1', '230.4'], ['heat_pump_firmware', '318']]) {
      app.write(`${JSON.stringify({ command: 'read_now', entity })}\n`);
      await app.waitFor(new RegExp(`Command read_now from stdin: \\{"entity":"${entity}","value":${value}`));
    }
    // per bus one compact line every 10 s in the demo; values only at debug
    const line = await app.waitFor(/bus (\S+): [\d.]+ req\/min, bus [\d.]+%, \d+ errors.*/, 30_000);
    expect(line[1]).toMatch(/^(tcp|rtu):\/\/127\.0\.0\.1:\d+$/);
    expect(app.output()).not.toMatch(/values: |inverter_serial=/);
    expect(Math.max(...app.output().split('\n').map((l) => l.length))).toBeLessThan(400);
    app.kill('SIGTERM');
    const { code } = await app.exit();
    expect(code).toBe(0);
    expect(app.output()).toContain('SIGTERM received, stopping');
  });

  describe('against a pymodbus device', () => {
    let server: PymodbusServer;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      server = await startPymodbusServer({
        mode: 'tcp', port,
        units: { 1: { holding: { 0: 2301, 1: 0x4049, 2: 0x0fdb, 10: 0xffff } } },
      });
    });
    afterAll(async () => {
      await server.stop();
    });

    it('reads block-wise, isolates the unmapped gap, and logs the decoded values', async () => {
      const file = path.join(dir, 'site.json');
      await writeFile(file, JSON.stringify({
        connections: [{ name: 'plc', host: '127.0.0.1', port }],
        entities: [
          { name: 'Voltage', connection: 'plc', address: 0, scale: 0.1, unit_of_measurement: 'V' },
          { name: 'Pi', connection: 'plc', address: 1, data_type: 'float32' },
          { name: 'Minus one', connection: 'plc', address: 10, data_type: 'int16' },
        ],
        log_level: 'debug', // the decoded values are logged at debug only
      }));
      const app = startAppProcess({ OPTIONS_FILE: file, DATA_DIR: dir });
      const m = await app.waitFor(/First values: (.*)/);
      app.kill('SIGTERM');
      expect((await app.exit()).code).toBe(0);
      expect(m[1]).toBe('voltage=230.1, pi=3.1415927, minus_one=-1');
      const reads = server.requests().filter((r) => r.op !== 'write').map((r) => [r.op, r.address, r.count]);
      // over TCP the planner bridges 0..10 in one request; the device rejects it, bisection reads the
      // two sides, and the unmapped gap 3..9 is learned and avoided from then on
      expect(reads.slice(0, 3)).toEqual([['rejected', 0, 11], ['read', 0, 3], ['read', 10, 1]]);
      expect(app.output()).toMatch(/registers 3\.\.9 answer "illegal data address"/);
    });
  });
});
