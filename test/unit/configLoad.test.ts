// Options files (real files in a temp dir) and the environment that picks the mode.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRuntimeEnv } from '../../src/config/env.js';
import { loadOptionsFile, OptionsFileMissingError } from '../../src/config/load.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/core/errors.js';

const read = (p: string): Promise<string> => readFile(p, 'utf8');
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'options');
let dir = '';

beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'modbus-optimizer-options-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, 'utf8');
  return path;
}

async function problemsLoading(path: string): Promise<string[]> {
  const err = await loadOptionsFile(path, read).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems;
}

describe('loadOptionsFile', () => {
  it('reads YAML and JSON to the same options', async () => {
    const yaml = resolveOptions(await loadOptionsFile(join(fixtures, 'two-buses.yaml'), read));
    const json = resolveOptions(await loadOptionsFile(join(fixtures, 'two-buses.json'), read));
    expect(json).toEqual(yaml);
    expect(yaml.logLevel).toBe('debug');
    expect(yaml.entities.map((e) => [e.id, e.address, e.dataType, e.count])).toEqual([
      ['grid_power', 30775, 'int32', 2], ['meter_import', 256, 'float32', 2], ['pump_running', 3, 'bool', 1],
    ]);
    expect(yaml.connections.map((c) => c.messageWaitMs)).toEqual([0, 30]);
  });

  it('reads files written to a temp dir; .yml and unknown extensions are YAML, which also reads JSON', async () => {
    const yml = await write('opts.yml', 'log_level: warning\n');
    const other = await write('opts.conf', '{"log_level": "error"}');
    expect(await loadOptionsFile(yml, read)).toEqual({ log_level: 'warning' });
    expect(await loadOptionsFile(other, read)).toEqual({ log_level: 'error' });
  });

  it('an empty YAML file is null, which resolves to the defaults', async () => {
    const path = await write('empty.yaml', '# nothing yet\n');
    expect(resolveOptions(await loadOptionsFile(path, read)).logLevel).toBe('info');
  });

  it('a YAML syntax error names the file, line and column', async () => {
    const path = await write('broken.yaml', 'log_level: info\nconnections:\n  - name: "inverter\n    host: x\n');
    const problems = await problemsLoading(path);
    expect(problems[0]).toMatch(new RegExp(`^${path.replace(/[.\\]/g, '\\$&')}: YAML syntax error at line \\d+, column \\d+: `));
    const twice = await write('dup.yaml', 'log_level: info\nlog_level: debug\n');
    expect(await problemsLoading(twice)).toEqual(
      [`${twice}: YAML syntax error at line 2, column 1: Map keys must be unique`]);
  });

  it('a JSON syntax error names the file, line and column', async () => {
    const path = await write('broken.json', '{\n  "log_level": "info",\n  "entities": [1,,]\n}\n');
    const [problem] = await problemsLoading(path);
    expect(problem).toMatch(`${path}: JSON syntax error at line 3, column `);
    expect(problem).not.toContain('"log_level"'); // no echo of the whole file
  });

  it('a .json file is parsed strictly (no YAML-only syntax)', async () => {
    const path = await write('yamlish.json', 'log_level: info\n');
    expect((await problemsLoading(path))[0]).toMatch(`${path}: JSON syntax error`);
  });

  it('a missing file names the path and can be told apart', async () => {
    const path = join(dir, 'nope.json');
    const err = await loadOptionsFile(path, read).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OptionsFileMissingError);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([`options file ${path} does not exist`]);
  });

  it('other read failures name the path too', async () => {
    const failing = (): Promise<string> => Promise.reject(Object.assign(new Error('EACCES: denied'), { code: 'EACCES' }));
    const err = await loadOptionsFile('/data/options.json', failing).then(() => undefined, (e: unknown) => e);
    expect((err as ConfigError).problems).toEqual(['cannot read options file /data/options.json: EACCES: denied']);
  });
});

describe('readRuntimeEnv', () => {
  it('app mode when SUPERVISOR_TOKEN is set', () => {
    expect(readRuntimeEnv({ SUPERVISOR_TOKEN: 'tok', OPTIONS_FILE: '/ignored.yaml', HA_TOKEN: 'ignored' })).toEqual({
      mode: 'app', optionsFile: '/data/options.json', dataDir: '/data', configDir: '/config', haUrl: 'http://supervisor/core', haToken: 'tok',
      webPort: undefined, webAllowedHosts: [], demoSeed: 1, demoPort: 0, mqttUrl: undefined, supervisorUrl: 'http://supervisor',
    });
  });

  it('app mode honours DATA_DIR, CONFIG_DIR and HA_URL (for tests against a fake supervisor)', () => {
    expect(readRuntimeEnv({ SUPERVISOR_TOKEN: 'tok', DATA_DIR: '/tmp/d', CONFIG_DIR: '/tmp/c', HA_URL: 'http://127.0.0.1:8123' })).toEqual({
      mode: 'app', optionsFile: '/tmp/d/options.json', dataDir: '/tmp/d', configDir: '/tmp/c', haUrl: 'http://127.0.0.1:8123', haToken: 'tok',
      webPort: undefined, webAllowedHosts: [], demoSeed: 1, demoPort: 0, mqttUrl: undefined, supervisorUrl: 'http://supervisor',
    });
  });

  it('MQTT_URL in both modes; SUPERVISOR_URL only in app mode (tests point it at a fake supervisor)', () => {
    expect(readRuntimeEnv({ MQTT_URL: 'mqtt://u:p@b:1883', SUPERVISOR_URL: 'http://x' })).toMatchObject({ mqttUrl: 'mqtt://u:p@b:1883', supervisorUrl: undefined });
    expect(readRuntimeEnv({ SUPERVISOR_TOKEN: 't', SUPERVISOR_URL: 'http://127.0.0.1:9' })).toMatchObject({ mqttUrl: undefined, supervisorUrl: 'http://127.0.0.1:9' });
  });

  it('standalone without anything: demo (no options file), ./data, no HA', () => {
    expect(readRuntimeEnv({})).toEqual({
      mode: 'standalone', optionsFile: undefined, dataDir: './data', configDir: './config', haUrl: undefined, haToken: undefined,
      webPort: undefined, webAllowedHosts: [], demoSeed: 1, demoPort: 0,
    });
  });

  it('standalone with a file and HA; empty variables count as unset', () => {
    expect(readRuntimeEnv({
      SUPERVISOR_TOKEN: '', OPTIONS_FILE: 'site.yaml', DATA_DIR: 'var', HA_URL: 'http://ha:8123', HA_TOKEN: 'llt',
    })).toEqual({ mode: 'standalone', optionsFile: 'site.yaml', dataDir: 'var', configDir: './config', haUrl: 'http://ha:8123', haToken: 'llt', webPort: undefined, webAllowedHosts: [], demoSeed: 1, demoPort: 0,
    });
    expect(readRuntimeEnv({ OPTIONS_FILE: '' }).optionsFile).toBeUndefined();
  });

  it('reads the demo and dashboard variables; a bad number is a ConfigError naming the variable', () => {
    expect(readRuntimeEnv({ WEB_PORT: '0', DEMO_SEED: '7', DEMO_PORT: '15020' })).toMatchObject({ webPort: '0', demoSeed: 7, demoPort: 15020 });
    expect(readRuntimeEnv({ WEB_ALLOWED_HOSTS: ' HA.lan, dash.example.com ,' })).toMatchObject({ webAllowedHosts: ['ha.lan', 'dash.example.com'] });
    expect(() => readRuntimeEnv({ WEB_ALLOWED_HOSTS: 'https://ha.lan:8123' })).toThrow(/WEB_ALLOWED_HOSTS: "https:\/\/ha.lan:8123" is not a host name/);
    expect(() => readRuntimeEnv({ DEMO_SEED: 'x' })).toThrow(/DEMO_SEED "x"/);
    expect(() => readRuntimeEnv({ DEMO_PORT: '-1' })).toThrow(/DEMO_PORT "-1"/);
  });
});
