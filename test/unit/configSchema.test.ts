// The schema DSL: inference, validation with paths, supervisor schema strings, defaults and docs rows.
import { describe, expect, it } from '@jest/globals';
import { optionsSchema, type EntityOptions, type Options } from '../../src/config/options.js';
import {
  bool, defaultsOf, describeFields, float, int, list, object, oneOf, str, toSupervisorSchema, validate,
  type Infer,
} from '../../src/config/schemaDsl.js';

const device = object({
  name: str().describe('Device name'),
  enabled: bool().default(true),
  mode: oneOf(['a', 'b', 'c'] as const).optional(),
  port: int(1, 65535).default(502),
  gain: float(0).optional(),
  tags: list(str()).default([]),
  inner: object({ depth: int() }).optional(),
});

describe('schema DSL', () => {
  it('infers types: required, optional and defaulted keys', () => {
    const value: Infer<typeof device> = { name: 'x', enabled: false, port: 1, tags: [] };
    const withMode: Infer<typeof device> = { ...value, mode: 'b', inner: { depth: 2 } };
    // @ts-expect-error 'd' is not one of the choices
    const bad: Infer<typeof device> = { ...value, mode: 'd' };
    expect([withMode.mode, bad.name]).toEqual(['b', 'x']);
  });

  it('fills defaults and leaves optional fields out', () => {
    expect(validate(device, { name: 'x' })).toEqual({
      value: { name: 'x', enabled: true, port: 502, tags: [] },
      problems: [],
    });
  });

  it('defaults are copies, never shared', () => {
    const a = validate(device, { name: 'a' }).value;
    a?.tags.push('changed');
    expect(validate(device, { name: 'b' }).value?.tags).toEqual([]);
  });

  it('reports every problem with its path, and no value', () => {
    const { value, problems } = validate(list(device), [
      { name: 'ok' },
      { name: 'bad', enabled: 'yes', mode: 'z', port: 1.5, gain: -1, tags: [1], inner: { depth: 'x' }, extra: 1 },
      { port: 70000, inner: 3 },
    ], ['devices']);
    expect(value).toBeUndefined();
    expect(problems).toEqual([
      'devices[1] (bad): extra is not a known option',
      'devices[1] (bad): enabled "yes" is not true or false',
      'devices[1] (bad): mode "z" is not one of a, b, c',
      'devices[1] (bad): port 1.5 is not an integer',
      'devices[1] (bad): gain -1 is less than 0',
      'devices[1] (bad): tags[0] 1 is not a string',
      'devices[1] (bad): inner.depth "x" is not an integer',
      'devices[2]: name is required',
      'devices[2]: port 70000 is not between 1 and 65535',
      'devices[2]: inner 3 is not an object',
    ]);
  });

  it('null counts as left out (YAML `key:` with no value)', () => {
    expect(validate(device, { name: 'x', mode: null, port: null }).value).toMatchObject({ port: 502 });
    expect(validate(device, { name: null }).problems).toEqual(['name is required']);
  });

  it('one-sided ranges', () => {
    expect(validate(int(undefined, 5), 6).problems).toEqual(['6 is greater than 5']);
    expect(validate(float(0.5), 0.25).problems).toEqual(['0.25 is less than 0.5']);
    expect([toSupervisorSchema(int(undefined, 5)), toSupervisorSchema(float())]).toEqual(['int(,5)', 'float']);
  });

  it('modifiers return new nodes', () => {
    const base = int(0, 9);
    const opt = base.optional();
    expect([toSupervisorSchema(base), toSupervisorSchema(opt)]).toEqual(['int(0,9)', 'int(0,9)?']);
  });
});

describe('supervisor schema (config.yaml)', () => {
  const schema = toSupervisorSchema(optionsSchema) as Record<string, unknown>;
  const connection = (schema.connections as Record<string, string>[])[0];
  const entity = (schema.entities as Record<string, string>[])[0];

  it('renders types, ranges, choices and the optional marker', () => {
    expect(schema.log_level).toBe('list(trace|debug|info|notice|warning|error|fatal)?');
    expect(connection).toMatchObject({
      name: 'str', host: 'str?', port: 'int(1,65535)?', parity: 'list(none|even|odd)?',
      turnaround_ms: 'float(0,10000)?',
    });
    expect(entity).toMatchObject({
      id: 'match(^[a-z0-9_]+$)?', address: 'int(0,65535)', scale: 'float?', scan_interval: 'float(0,)?',
      state_class: 'list(measurement|total|total_increasing)?',
    });
  });

  it('lists of objects are a one-element list of a dict, without a marker', () => {
    expect(Array.isArray(schema.connections)).toBe(true);
    expect(Object.keys(connection ?? {})).toContain('serial_port');
    expect(toSupervisorSchema(list(str()))).toEqual(['str']);
  });

  it('defaults give the options block, with [] for the lists', () => {
    expect(defaultsOf(optionsSchema)).toMatchObject({ log_level: 'info', connections: [], entities: [], context_entities: [] });
    expect(defaultsOf(optionsSchema)).toMatchObject({ optimizer: { quick_every: '4h', interval: { aggressiveness: 0.5 }, pattern: { max_patterns: 8 } } });
    expect(defaultsOf(device)).toEqual({ enabled: true, port: 502, tags: [] });
  });
});

describe('describeFields (DOCS.md table)', () => {
  it('one row per field, nested paths, type, required, default and description', () => {
    const rows = describeFields(optionsSchema);
    const row = (path: string) => rows.find((r) => r.path === path);
    expect(row('log_level')).toEqual({
      path: 'log_level', type: 'list(trace|debug|info|notice|warning|error|fatal)', required: false,
      default: 'info', description: 'How much the app logs.',
    });
    expect(row('connections[].port')).toMatchObject({ type: 'int(1,65535)', required: false, default: 502 });
    expect(row('entities[].address')).toMatchObject({ required: true, default: undefined });
    expect(row('entities')).toMatchObject({ type: 'list', default: [] });
    expect(rows.every((r) => r.description !== '')).toBe(true);
    expect(describeFields(device).map((r) => r.path)).toEqual(
      ['name', 'enabled', 'mode', 'port', 'gain', 'tags', 'inner', 'inner.depth']);
  });

  it('Options is the inferred type of the schema', () => {
    const e: EntityOptions = { name: 'n', connection: 'c', address: 0, unit_id: 1, register_type: 'input',
      swap: 'none', scale: 1, offset: 0, scan_interval: 1, min_interval: 1, max_interval: 1, writable: false, when_silent: 'unavailable' };
    const defaults = validate(optionsSchema, {}).value;
    if (!defaults) throw new Error('option defaults missing');
    const { optimizer, mqtt } = defaults;
    const o: Options = { log_level: 'fatal', connections: [], entities: [e], context_entities: ['sun.sun'], register_files: [], devices: [], optimizer, ha_transport: 'rest', mqtt, allow_raw_writes: false, proxies: [] };
    expect(validate(optionsSchema, o).problems).toEqual([]);
  });
});
