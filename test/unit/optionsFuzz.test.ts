// Bad options and register files never crash (issue 16, item 6): 3,000 mutations of a valid options
// document (keys dropped, values replaced by wrong types, out-of-range numbers, unknown keys, nesting
// broken) and 1,000 generated register-file texts (YAML fragments, broken syntax, wrong shapes) each
// either resolve or throw one ConfigError whose every problem is a non-empty line; nothing else throws.
import { describe, expect, it } from '@jest/globals';
import { fileEntities } from '../../src/config/registerFiles.js';
import { resolveOptions } from '../../src/config/resolve.js';
import { ConfigError } from '../../src/core/errors.js';
import { seededRandom } from '../../src/core/random.js';

const VALID = {
  log_level: 'info',
  connections: [{ name: 'gw', type: 'rtuovertcp', host: '10.0.0.5', port: 502, baudrate: 9600 }, { name: 'rs', type: 'serial', serial_port: '/dev/ttyUSB0' }],
  entities: [
    { id: 'power', name: 'Power', connection: 'gw', unit_id: 1, register_type: 'input', address: 10, data_type: 'int32', scale: 0.1, unit_of_measurement: 'W', state_class: 'measurement' },
    { name: 'Setpoint', connection: 'rs', address: 5, writable: true, min: 10, max: 60, write_function: 6, invalid_values: [65535] },
    { name: 'Status', connection: 'gw', address: 20, value_map: [{ value: 512, label: 'On-grid' }] },
  ],
  devices: [{ template: 'eastron_sdm630', connection: 'gw', unit_id: 2, max_registers_per_read: 50 }],
  optimizer: { goal: 'save_bus', quick_every: '4h', interval: { aggressiveness: 0.5 } },
  proxies: [{ connection: 'gw', port: 1502, unit_map: [{ client: 0, device: 1 }] }],
  mqtt: { host: 'broker', port: 1883 },
};

type Json = unknown;

function mutate(doc: Json, random: () => number, depth = 0): Json {
  const weird: Json[] = [null, -1, 0, Number.POSITIVE_INFINITY, 'x', '', true, [], {}, [1, 'a'], { a: 1 }, 70_000, -0.5, 'NaN', '4h', 'garbage'];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  if (random() < 0.08 + depth * 0.05) return pick(weird);
  if (Array.isArray(doc)) {
    const out = doc.map((x) => (random() < 0.3 ? mutate(x, random, depth + 1) : x));
    if (random() < 0.1) out.push(pick(weird));
    if (random() < 0.1) out.splice(Math.floor(random() * out.length), 1);
    return out;
  }
  if (doc !== null && typeof doc === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(doc)) {
      if (random() < 0.1) continue;
      out[random() < 0.03 ? `${k}x` : k] = random() < 0.3 ? mutate(v, random, depth + 1) : v;
    }
    if (random() < 0.05) out[pick(['extra', 'unit', 'adress', 'scan'])] = pick(weird);
    return out;
  }
  return random() < 0.5 ? pick(weird) : doc;
}

function outcome(run: () => unknown): 'ok' | string[] {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err; // anything but a ConfigError fails the test with its stack
  }
}

describe('bad options never crash', () => {
  it('3,000 mutated options documents: each resolves or is one ConfigError listing its problems', () => {
    expect(outcome(() => resolveOptions(VALID))).toBe('ok');
    const random = seededRandom(11);
    let refused = 0;
    for (let i = 0; i < 3000; i++) {
      const doc = mutate(VALID, random);
      const result = outcome(() => resolveOptions(doc));
      if (result === 'ok') continue;
      refused++;
      expect(result.length).toBeGreaterThan(0);
      for (const p of result) expect(typeof p === 'string' && p.trim().length > 0 && !p.includes('undefined')).toBe(true);
    }
    expect(refused).toBeGreaterThan(1000);
  });

  it('1,000 generated register files: each gives entities or problems naming the file', () => {
    const random = seededRandom(5);
    const pieces = ['entities:', '- name: A', '  connection: gw', '  address: 1', '  address: x', '  data_type: float32', '- [1, 2', '{', '}', ':',
      '  - - -', 'name: top', '"unterminated', '\t- tab', '  scale: 1e999', '- name: B\n  address: -5', '&a [*a]', '---', '~', '- !!binary AAAA'];
    for (let i = 0; i < 1000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 8) }, () => pieces[Math.floor(random() * pieces.length)]).join('\n');
      const { items, problems } = fileEntities([{ name: 'meters.yaml', path: '/config/meters.yaml', text }]);
      expect(Array.isArray(items)).toBe(true);
      for (const p of problems) expect(p).toMatch(/meters\.yaml/);
    }
  });
});
