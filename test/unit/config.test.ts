// Option resolution: every bad option gets a message naming its item, all at once; defaults are filled.
import { describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/config/resolve.js';
import { slugify } from '../../src/config/crossChecks.js';
import { ConfigError } from '../../src/core/errors.js';

const OPTIMIZER_DEFAULTS = {
  enabled: true, quick_every: '4h', full_every: '12h', evaluate_every: '1h', settle: '15m', evaluation_window: '1h',
  bus_budget: 0.3, rollback_threshold: -0.1, learning_rate: 0.1,
  interval: { min_interval: 5, max_interval: 300, aggressiveness: 0.5, max_entities_per_run: 100 },
  cluster: { correlation_threshold: 0.6, min_cluster_size: 2, max_cluster_size: 20 },
  pattern: { max_patterns: 8, pattern_stability_threshold: 0.6 },
};

const tcp = { name: 'inverter', host: '10.0.0.2' };
const serial = { name: 'meter', type: 'serial', serial_port: '/dev/ttyUSB0' };

function entity(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Grid power', connection: 'inverter', address: 10, ...extra };
}

/** The problems resolveOptions reports for these options (fails the test if it accepts them). */
function problemsOf(raw: unknown): string[] {
  try {
    resolveOptions(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

function entityProblems(...entities: Record<string, unknown>[]): string[] {
  return problemsOf({ connections: [tcp, serial], entities });
}

describe('resolveOptions: messages', () => {
  it('names list, index, item name and field, exactly', () => {
    const items = [1, 2, 3].map((i) => entity({ name: `E${i}` }));
    expect(entityProblems(...items, entity({ data_type: 'flaot32' }))).toEqual([
      'entities[3] (Grid power): data_type "flaot32" is not one of int16, uint16, int32, uint32, int64, uint64, ' +
        'float16, float32, float64, string, bool',
    ]);
  });

  it('top-level problems have no item prefix', () => {
    expect(problemsOf({ log_level: 'loud' })).toEqual([
      'log_level "loud" is not one of trace, debug, info, notice, warning, error, fatal',
    ]);
  });

  it('reports unknown keys at every level, with a suggestion when one is close', () => {
    expect(problemsOf({ colour: 'red', connections: [{ ...tcp, prot: 503 }], entities: [entity({ sacle: 2 })] }))
      .toEqual([
        'colour is not a known option',
        'connections[0] (inverter): prot is not a known option (did you mean port?)',
        'entities[0] (Grid power): sacle is not a known option (did you mean scale?)',
      ]);
  });

  it('lists every problem at once, in file order, schema and cross-field alike', () => {
    const problems = problemsOf({
      log_level: 'loud',
      connections: [{ name: 'inverter' }, { ...serial, port: 0 }],
      entities: [entity({ data_type: 'flaot32' }), entity({ connection: 'nope', address: -1 }), 'oops'],
    });
    expect(problems).toEqual([
      'log_level "loud" is not one of trace, debug, info, notice, warning, error, fatal',
      'connections[0] (inverter): host is required for type tcp',
      'connections[1] (meter): port 0 is not between 1 and 65535',
      expect.stringMatching(/^entities\[0\] \(Grid power\): data_type "flaot32" is not one of/),
      'entities[1] (Grid power): address -1 is not between 0 and 65535',
      'entities[1] (Grid power): id "grid_power" is already used by entities[0] (Grid power)',
      'entities[1] (Grid power): connection "nope" is not a configured connection (known: inverter, meter)',
      'entities[2]: "oops" is not an object',
    ]);
  });

  it('required fields, and items without a name have no label', () => {
    expect(problemsOf({ connections: [{ host: 'x' }], entities: [{ connection: 'x' }] })).toEqual([
      'connections[0]: name is required',
      'entities[0]: name is required',
      'entities[0]: address is required',
    ]);
  });

  it('connections: duplicates, conditional host and serial_port, range limits', () => {
    expect(problemsOf({
      connections: [tcp, { ...tcp }, { name: 'gw', type: 'rtuovertcp' }, { name: 's', type: 'serial', host: 'h' },
        { ...tcp, name: 'big', max_registers_per_read: 126, timeout_ms: 10 }],
    })).toEqual([
      'connections[1] (inverter): name "inverter" is already used by connections[0] (inverter)',
      'connections[2] (gw): host is required for type rtuovertcp',
      'connections[3] (s): serial_port is required for type serial',
      'connections[4] (big): timeout_ms 10 is not between 50 and 60000',
      'connections[4] (big): max_registers_per_read 126 is not between 1 and 125',
    ]);
  });

  it('duplicate entity ids name both items, whether given or slugged', () => {
    expect(entityProblems(entity({ id: 'power' }), entity({ name: 'Other', id: 'power' }), entity({ name: 'GRID  power!' })))
      .toEqual(['entities[1] (Other): id "power" is already used by entities[0] (Grid power)']);
    expect(entityProblems(entity(), entity({ name: 'grid-power' }))).toEqual([
      'entities[1] (grid-power): id "grid_power" is already used by entities[0] (Grid power)',
    ]);
  });

  it('an id must be a slug, and a name must give one when id is left out', () => {
    expect(entityProblems(entity({ id: 'Grid Power' }), entity({ name: '***' }))).toEqual([
      'entities[0] (Grid power): id "Grid Power" does not match ^[a-z0-9_]+$',
      'entities[1] (***): id is required: name "***" has no letters or digits to make one',
    ]);
  });

  it('register counts must fit the data type', () => {
    expect(entityProblems(
      entity({ name: 'a', data_type: 'string' }),
      entity({ name: 'b', data_type: 'float32', count: 3 }),
      entity({ name: 'c', data_type: 'uint64', count: 2 }),
      entity({ name: 'd', data_type: 'int16', count: 2 }),
      entity({ name: 'e', data_type: 'string', count: 8 }),
    )).toEqual([
      'entities[0] (a): count is required for data_type string',
      'entities[1] (b): count 3 does not match data_type float32, which takes 2 registers',
      'entities[2] (c): count 2 does not match data_type uint64, which takes 4 registers',
      'entities[3] (d): count 2 does not match data_type int16, which takes 1 register',
    ]);
  });

  it('coils and discrete inputs hold bools only; addresses stay inside the table', () => {
    expect(entityProblems(
      entity({ name: 'a', register_type: 'coil', data_type: 'uint16' }),
      entity({ name: 'b', register_type: 'discrete_input', data_type: 'bool', count: 2 }),
      entity({ name: 'c', data_type: 'float64', address: 65533 }),
      entity({ name: 'd', data_type: 'float64', address: 65532 }),
    )).toEqual([
      'entities[0] (a): data_type "uint16" cannot be read from register_type coil (use bool)',
      'entities[1] (b): count 2 does not match data_type bool, which takes 1 bit',
      'entities[2] (c): address 65533 + count 4 runs past the last address 65535',
    ]);
  });

  it('intervals: positive, and min_interval <= scan_interval <= max_interval', () => {
    expect(entityProblems(
      entity({ name: 'a', scan_interval: 0.5 }),
      entity({ name: 'b', scan_interval: 7200 }),
      entity({ name: 'c', scan_interval: 0 }),
      entity({ name: 'd', scan_interval: -1 }),
      entity({ name: 'e', scan_interval: 'fast', min_interval: 10, max_interval: 5 }),
    )).toEqual([
      'entities[0] (a): scan_interval 0.5 is less than min_interval 1',
      'entities[1] (b): scan_interval 7200 is greater than max_interval 3600',
      'entities[2] (c): scan_interval 0 is not greater than 0',
      'entities[3] (d): scan_interval -1 is less than 0',
      'entities[4] (e): scan_interval "fast" is not a number',
      'entities[4] (e): min_interval 10 is greater than max_interval 5',
    ]);
  });

  it('writes: only holding registers and coils can be writable, and min must not exceed max', () => {
    expect(entityProblems(
      entity({ name: 'a', register_type: 'input', writable: true }),
      entity({ name: 'b', register_type: 'holding', writable: true, min: 10, max: 5 }),
      entity({ name: 'c', register_type: 'coil', writable: true }),
    )).toEqual([
      'entities[0] (a): writable is set but register_type input cannot be written (only holding and coil)',
      'entities[1] (b): min 10 is greater than max 5',
    ]);
    const r = resolveOptions({ connections: [tcp], entities: [entity({ name: 'w', writable: true, min: 0, max: 60 }), entity({ name: 'r', address: 9 })] });
    expect(r.entities.map((e) => [e.writable, e.writeMin, e.writeMax])).toEqual([[true, 0, 60], [undefined, undefined, undefined]]);
    expect(r.options.allow_raw_writes).toBe(false);
  });

  it('an invalid field does not cause follow-on cross-field messages', () => {
    // A bad data_type must not be replaced by the default and then blamed for the count.
    expect(entityProblems(entity({ data_type: 'flaot32', count: 2 }))).toHaveLength(1);
    // A connection with a bad port still exists for its entities.
    expect(problemsOf({ connections: [{ ...tcp, port: 'x' }], entities: [entity()] })).toEqual([
      'connections[0] (inverter): port "x" is not an integer',
    ]);
  });

  it('the error message lists every problem', () => {
    expect(() => resolveOptions({ log_level: 1, entities: {} })).toThrow(
      'Invalid options:\n  - log_level 1 is not one of trace, debug, info, notice, warning, error, fatal\n' +
      '  - entities an object is not a list');
  });
});

describe('resolveOptions: defaults', () => {
  it('empty input (an empty file) is valid: no connections, no entities, info', () => {
    for (const raw of [undefined, null, {}]) {
      expect(resolveOptions(raw)).toMatchObject({
        connections: [], entities: [], logLevel: 'info',
        options: { log_level: 'info', connections: [], entities: [], context_entities: [], optimizer: OPTIMIZER_DEFAULTS },
        optimizer: { enabled: true, quickEveryMs: 14_400_000 },
      });
    }
  });

  it('connection defaults depend on the type', () => {
    const { connections } = resolveOptions({ connections: [tcp, serial, { name: 'gw', type: 'rtuovertcp', host: 'gw' }] });
    expect(connections[0]).toEqual({
      name: 'inverter', type: 'tcp', host: '10.0.0.2', port: 502, serialPort: '', baudrate: 9600, parity: 'none',
      dataBits: 8, stopBits: 1, timeoutMs: 3000, messageWaitMs: 0, maxRegistersPerRead: 125, turnaroundMs: 2,
    });
    expect(connections.map((c) => [c.messageWaitMs, c.turnaroundMs])).toEqual([[0, 2], [30, 20], [0, 20]]);
    const given = resolveOptions({ connections: [{ ...serial, message_wait_ms: 5, turnaround_ms: 7.5 }] });
    expect(given.connections[0]).toMatchObject({ messageWaitMs: 5, turnaroundMs: 7.5 });
  });

  it('entity defaults: uint16 on registers, bool on bits, natural counts, intervals in ms', () => {
    const { entities } = resolveOptions({
      connections: [tcp],
      entities: [
        entity(), entity({ name: 'Coil', register_type: 'coil' }), entity({ name: 'DI', register_type: 'discrete_input' }),
        entity({ name: 'F', data_type: 'float32' }), entity({ name: 'U', data_type: 'uint64' }),
        entity({ name: 'S', data_type: 'string', count: 10, scan_interval: 0.1, min_interval: 0.05 }),
      ],
    });
    expect(entities[0]).toEqual({
      id: 'grid_power', name: 'Grid power', connection: 'inverter', unitId: 1, registerType: 'holding', address: 10,
      dataType: 'uint16', swap: 'none', count: 1, scale: 1, offset: 0, precision: undefined,
      unitOfMeasurement: undefined, deviceClass: undefined, stateClass: undefined,
      scanIntervalMs: 15000, minIntervalMs: 1000, maxIntervalMs: 3600000,
    });
    expect(entities.map((e) => [e.id, e.dataType, e.count])).toEqual([
      ['grid_power', 'uint16', 1], ['coil', 'bool', 1], ['di', 'bool', 1],
      ['f', 'float32', 2], ['u', 'uint64', 4], ['s', 'string', 10],
    ]);
    expect(entities[5]).toMatchObject({ scanIntervalMs: 100, minIntervalMs: 50 });
  });

  it('the validated options keep the snake_case shape with schema defaults', () => {
    const { options, logLevel } = resolveOptions({ log_level: 'debug', connections: [serial] });
    expect(logLevel).toBe('debug');
    expect(options.connections[0]).toEqual({
      name: 'meter', type: 'serial', serial_port: '/dev/ttyUSB0', port: 502, baudrate: 9600, parity: 'none',
      data_bits: 8, stop_bits: 1, timeout_ms: 3000, max_registers_per_read: 125,
    });
  });
});

describe('slugify', () => {
  it.each([
    ['Grid power', 'grid_power'],
    ['  PV -- String 2 (W) ', 'pv_string_2_w'],
    ['Wärme Pumpe', 'warme_pumpe'],
    ['__a__b__', 'a_b'],
    ['***', ''],
  ])('%j -> %j', (name, id) => {
    expect(slugify(name)).toBe(id);
  });
});

describe('resolveOptions: optimizer options', () => {
  it('takes the strategies the schedule runs, and names an unknown one', () => {
    expect(resolveOptions({ optimizer: { strategies: ['interval', 'pattern'] } }).optimizer.strategies).toEqual(['interval', 'pattern']);
    expect(() => resolveOptions({ optimizer: { strategies: ['interval', 'clusters'] } })).toThrow(/optimizer\.strategies\[1\].*clusters/);
  });

  it('fills every optimizer default, nested groups included, and converts durations', () => {
    const { optimizer } = resolveOptions({ optimizer: { quick_every: '30m', interval: { aggressiveness: 0.8 } } });
    expect(optimizer).toEqual({
      enabled: true, goal: 'save_bus', localSteps: true, quickEveryMs: 1_800_000, fullEveryMs: 43_200_000, evaluateEveryMs: 3_600_000, settleMs: 900_000,
      windowMs: 3_600_000, budget: 0.3, rollbackThreshold: -0.1, learningRate: 0.1, strategies: ['interval', 'cluster', 'pattern'],
      parameters: {
        interval: { min_interval: 5, max_interval: 300, aggressiveness: 0.8, max_entities_per_run: 100 },
        cluster: { correlation_threshold: 0.6, min_cluster_size: 2, max_cluster_size: 20 },
        pattern: { max_patterns: 8, pattern_stability_threshold: 0.6 },
      },
    });
  });

  it('rejects a zero duration as a config error naming the option', () => {
    expect(() => resolveOptions({ optimizer: { settle: '0m' } })).toThrow('optimizer.settle "0m" must be longer than 0');
    expect(() => resolveOptions({ optimizer: { settle: '0m' } })).toThrow(ConfigError);
  });

  it('names bad optimizer options', () => {
    expect(() => resolveOptions({ optimizer: { quick_every: 'often', bus_budget: 2, interval: { speed: 1 } } })).toThrow(ConfigError);
    try {
      resolveOptions({ optimizer: { quick_every: 'often', bus_budget: 2, interval: { speed: 1 } } });
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems).toContainEqual(expect.stringMatching(/^optimizer\.quick_every "often" does not match/));
      expect(problems).toContain('optimizer.bus_budget 2 is not between 0.001 and 1');
      expect(problems).toContainEqual(expect.stringMatching(/^optimizer\.interval\.speed is not a known option/));
    }
  });
});

describe('resolveOptions: default precision follows the scale', () => {
  const resolveOne = (entity: Record<string, unknown>) =>
    resolveOptions({
      connections: [{ name: 'c', host: 'h' }],
      entities: [{ name: 'x', connection: 'c', address: 0, ...entity }],
    }).entities[0]?.precision;

  it.each([
    [{ scale: 0.1 }, 1],
    [{ scale: 0.01 }, 2],
    [{ scale: 0.25 }, 2],
    [{ scale: 10 }, undefined],
    [{ scale: 1, offset: -40.5 }, 1],
    [{ scale: 0.1, precision: 3 }, 3],
    [{ data_type: 'float32', scale: 0.1 }, undefined],
  ])('%j → %p', (entity, expected) => {
    expect(resolveOne(entity)).toBe(expected);
  });
});
