// Register files: read from the config folder (relative names) or as given (absolute), their entities
// resolved after the entities option with the same schema, and every problem naming the file and line.
import { describe, expect, it } from '@jest/globals';
import { readRegisterFiles, type RegisterFile } from '../../src/config/registerFiles.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/core/errors.js';

const gw = { name: 'gw', host: '10.0.0.5' };
const file = (name: string, lines: string[]): RegisterFile => ({ name, path: `/config/${name}`, text: lines.join('\n') });
const problemsOf = (raw: unknown, files: RegisterFile[]): string[] => {
  try {
    resolveOptions(raw, files);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('readRegisterFiles', () => {
  it('reads relative names from the config folder and absolute ones as given; a missing file says where it looked', async () => {
    const disk: Record<string, string> = { '/config/meters.yaml': 'entities: []', '/srv/maps/pump.yaml': '[]' };
    const read = async (p: string) => {
      const text = disk[p];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return text;
    };
    const files = await readRegisterFiles({ register_files: ['meters.yaml', '/srv/maps/pump.yaml', 'gone.yaml', 7] }, '/config', read);
    expect(files).toEqual([
      { name: 'meters.yaml', path: '/config/meters.yaml', text: 'entities: []' },
      { name: '/srv/maps/pump.yaml', path: '/srv/maps/pump.yaml', text: '[]' },
      { name: 'gone.yaml', path: '/config/gone.yaml', error: '/config/gone.yaml does not exist (register files go in the app\'s config folder, /config)' },
    ]);
    expect(problemsOf({ register_files: ['gone.yaml'] }, files.slice(2))).toEqual(
      ['register_files[0] (gone.yaml): /config/gone.yaml does not exist (register files go in the app\'s config folder, /config)']);
    expect(await readRegisterFiles({ register_files: 'x' }, '/config', read)).toEqual([]);
  });
});

describe('register file entities', () => {
  it('come after the entities option, resolved like it (both file forms: entities: or a bare list)', () => {
    const { entities } = resolveOptions({ connections: [gw], entities: [{ name: 'First', connection: 'gw', address: 1 }] }, [
      file('meters.yaml', ['entities:', '  - name: Grid voltage', '    connection: gw', '    register_type: input', '    address: 0', '    data_type: float32']),
      file('pump.yaml', ['- {name: Flow temperature, connection: gw, address: 7, scale: 0.1, unit_of_measurement: °C}']),
    ]);
    expect(entities.map((e) => e.id)).toEqual(['first', 'grid_voltage', 'flow_temperature']);
    expect(entities[1]).toMatchObject({ registerType: 'input', dataType: 'float32', count: 2, unitId: 1, scanIntervalMs: 15_000 });
    expect(entities[2]).toMatchObject({ scale: 0.1, precision: 1, unitOfMeasurement: '°C' });
  });

  it('name the file and the line of each problem (the field, or its item when the field is missing)', () => {
    expect(problemsOf({ connections: [gw], entities: [{ name: 'Voltage', connection: 'gw', address: 1 }] }, [file('meters.yaml', [
      '# three-phase meter',            // 1
      'entities:',                      // 2
      '  - name: Voltage',              // 3
      '    connection: gw',             // 4
      '    address: 0',                 // 5
      '    data_type: flaot32',         // 6
      '  - name: Current',              // 7
      '    connection: nowhere',        // 8
      '    address: 6',                 // 9
      '  - name: Power',                // 10
      '    address: 12',                // 11
      '    colour: red',                // 12
      'devices: []',                    // 13
    ])])).toEqual([
      'meters.yaml line 13: devices is not known here (a register file holds entities:)',
      'meters.yaml line 6: entities[0] (Voltage): data_type "flaot32" is not one of int16, uint16, int32, uint32, int64, uint64, float16, float32, float64, string, bool',
      'meters.yaml line 12: entities[2] (Power): colour is not a known option',
      'meters.yaml line 10: entities[2] (Power): connection is required',
      'meters.yaml line 3: entities[0] (Voltage): id "voltage" is already used by options entities[0] (Voltage)',
      'meters.yaml line 8: entities[1] (Current): connection "nowhere" is not a configured connection (known: gw)',
    ]);
  });

  it('a YAML syntax error gives the line and column; a file without entities says what it should hold', () => {
    const problems = problemsOf({ connections: [gw] }, [
      file('broken.yaml', ['entities:', '  - name: A', '   connection: gw']),
      file('empty.yaml', ['# nothing yet']),
    ]);
    expect(problems[0]).toMatch(/^broken\.yaml line 3, column \d+: YAML syntax error: /);
    expect(problems[1]).toBe('empty.yaml line 1: must hold entities: with a list of entities, written like the entities option');
  });
});
