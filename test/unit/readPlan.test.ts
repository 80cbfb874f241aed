// The read plan of a connection (src/modbus/readPlan.ts): protocol limits per function code, entity →
// planner item, connection → limits with the bus's holes, the blocks a connection's entities are read
// in, each entity's share of its block, and the modelled utilisation of polling at given intervals.
import { describe, expect, it } from '@jest/globals';
import { readBusTimeMs, timingOf } from '../../src/modbus/costModel.js';
import { HoleSet } from '../../src/modbus/holes.js';
import {
  amortizedCosts, MAX_BITS_PER_READ, MAX_REGISTERS_PER_READ, modelledUtilisation, NO_HOLES, planConnectionReads,
  planLimitsOf, protocolLimitOf, readItemOf,
} from '../../src/modbus/readPlan.js';
import { busKeyOf, type ConnectionDef, type EntityDef, type RegisterType } from '../../src/modbus/types.js';

function conn(name: string, maxRegistersPerRead = 125, type: ConnectionDef['type'] = 'rtuovertcp'): ConnectionDef {
  return {
    name, type, host: 'gw', port: 502, serialPort: '/dev/ttyUSB0', baudrate: 9600, parity: 'none', dataBits: 8,
    stopBits: 1, timeoutMs: 1000, messageWaitMs: 0, maxRegistersPerRead, turnaroundMs: 20,
  };
}

function entity(id: string, registerType: RegisterType, address: number, count = 1, connection = 'gw', unitId = 1): EntityDef {
  return {
    id, name: id, connection, unitId, registerType, address, dataType: count === 2 ? 'float32' : 'uint16', swap: 'none', count,
    scale: 1, offset: 0, precision: undefined, unitOfMeasurement: undefined, deviceClass: undefined, stateClass: undefined,
    scanIntervalMs: 15_000, minIntervalMs: 1000, maxIntervalMs: 3_600_000,
  };
}

/** [address, count, entity ids] of each planned block. */
function spans(c: ConnectionDef, entities: readonly EntityDef[], holes = new HoleSet()): Array<[number, number, string[]]> {
  return planConnectionReads(c, entities, holes).blocks.map((b) => [b.address, b.count, b.items.map((i) => i.key)]);
}

describe('protocol and connection limits', () => {
  it.each([
    [1, 'coils', MAX_BITS_PER_READ],
    [2, 'discrete inputs', MAX_BITS_PER_READ],
    [3, 'holding registers', MAX_REGISTERS_PER_READ],
    [4, 'input registers', MAX_REGISTERS_PER_READ],
  ] as const)('fc %i (%s): at most %i per request', (fn, _what, limit) => {
    expect(protocolLimitOf(fn)).toBe(limit);
  });

  it('are 125 registers and 2,000 bits', () => {
    expect([MAX_REGISTERS_PER_READ, MAX_BITS_PER_READ]).toEqual([125, 2000]);
  });

  it.each([
    [125, 125],
    [30, 30],
    [200, 125],
  ])('a connection capped at %i registers reads at most %i per request, bits stay at 2,000', (cap, registers) => {
    const limits = planLimitsOf(conn('gw', cap), new HoleSet());
    expect([limits.maxRegisters, limits.maxBits]).toEqual([registers, 2000]);
  });

  it('charge the connection timing and carry the holes they are given', () => {
    const holes = new HoleSet();
    holes.add(1, 3, 10, 20);
    const limits = planLimitsOf(conn('gw', 125, 'tcp'), holes);
    expect(limits.timing).toEqual(timingOf(conn('gw', 125, 'tcp')));
    expect(limits.timing.baudrate).toBeUndefined();
    expect(limits.holes).toBe(holes);
  });

  it('a connection cap splits what the protocol limit would read in one request', () => {
    const row = [0, 10, 20].map((a) => entity(`h${a}`, 'holding', a, 10));
    expect(spans(conn('gw', 125), row)).toEqual([[0, 30, ['h0', 'h10', 'h20']]]);
    expect(spans(conn('gw', 20), row)).toEqual([[0, 20, ['h0', 'h10']], [20, 10, ['h20']]]);
  });
});

describe('entity → read item', () => {
  it.each([
    ['coil', 1, 1],
    ['discrete_input', 2, 1],
    ['holding', 3, 2],
    ['input', 4, 4],
  ] as const)('%s → fc %i, count %i registers/bits from the address', (registerType, fn, count) => {
    expect(readItemOf(entity('e', registerType, 7, count, 'gw', 3))).toEqual({ key: 'e', unitId: 3, fn, address: 7, count });
  });

  it('an entity with count > 1 is planned as its whole span', () => {
    const energy = entity('energy', 'input', 72, 4);
    const next = entity('next', 'input', 76, 2);
    expect(spans(conn('gw'), [energy, next])).toEqual([[72, 6, ['energy', 'next']]]);
  });
});

describe('a connection\'s planned reads', () => {
  it('takes only the entities of that connection, in definition order', () => {
    const mine = [entity('b', 'input', 2), entity('a', 'input', 0)];
    const other = entity('x', 'input', 1, 1, 'other');
    const { items } = planConnectionReads(conn('gw'), [mine[0]!, other, mine[1]!], new HoleSet());
    expect(items.map((i) => i.key)).toEqual(['b', 'a']);
  });

  it('keeps units and function codes in separate requests', () => {
    const es = [entity('u1', 'input', 0), entity('u2', 'input', 1, 1, 'gw', 2), entity('hold', 'holding', 1)];
    expect(planConnectionReads(conn('gw'), es, new HoleSet()).blocks.map((b) => [b.unitId, b.fn])).toEqual([[1, 3], [1, 4], [2, 4]]);
  });

  it('never bridges a learned hole: the gap that one block covered splits it in two', () => {
    const es = [entity('a', 'input', 0, 2), entity('b', 'input', 4, 2)];
    const holes = new HoleSet();
    holes.add(1, 4, 2, 4);
    expect(spans(conn('gw'), es)).toEqual([[0, 6, ['a', 'b']]]);
    expect(spans(conn('gw'), es, holes)).toEqual([[0, 2, ['a']], [4, 2, ['b']]]);
  });

  it('a hole of another unit or function code changes nothing', () => {
    const es = [entity('a', 'input', 0, 2), entity('b', 'input', 4, 2)];
    const holes = new HoleSet();
    holes.add(2, 4, 2, 4);
    holes.add(1, 3, 2, 4);
    expect(spans(conn('gw'), es, holes)).toEqual([[0, 6, ['a', 'b']]]);
  });
});

describe('shared costs', () => {
  const gw = conn('gw');
  const timing = timingOf(gw);

  it('two entities in one block each pay half, and the shares sum to the block cost', () => {
    const costs = amortizedCosts({ connections: [gw], entities: [entity('a', 'input', 0, 2), entity('b', 'input', 2, 2)] }, NO_HOLES);
    const block = readBusTimeMs(4, 4, timing);
    expect(costs.get('a')).toBeCloseTo(block / 2, 9);
    expect(costs.get('b')).toBeCloseTo(block / 2, 9);
    expect((costs.get('a') ?? 0) + (costs.get('b') ?? 0)).toBeCloseTo(block, 9);
    expect(block).toBeLessThan(2 * readBusTimeMs(4, 2, timing));
  });

  it('a hole between them makes each pay a whole request', () => {
    const entities = [entity('a', 'input', 0, 2), entity('b', 'input', 4, 2)];
    const holed = new HoleSet();
    holed.add(1, 4, 2, 4);
    const costs = amortizedCosts({ connections: [gw], entities }, (bus) => (bus === busKeyOf(gw) ? holed : new HoleSet()));
    expect([costs.get('a'), costs.get('b')]).toEqual([readBusTimeMs(4, 2, timing), readBusTimeMs(4, 2, timing)]);
    const shared = amortizedCosts({ connections: [gw], entities }, NO_HOLES);
    expect(shared.get('a')).toBeCloseTo(readBusTimeMs(4, 6, timing) / 2, 9);
  });

  it('are planned per connection: entities on different connections never share a block', () => {
    const other = { ...conn('other'), host: 'gw2' };
    const costs = amortizedCosts({ connections: [gw, other], entities: [entity('a', 'input', 0), entity('b', 'input', 1, 1, 'other')] }, NO_HOLES);
    expect([costs.get('a'), costs.get('b')]).toEqual([readBusTimeMs(4, 1, timing), readBusTimeMs(4, 1, timing)]);
  });

  it('NO_HOLES hands out a fresh empty set each time', () => {
    const first = NO_HOLES('bus');
    first.add(1, 3, 0, 10);
    expect(NO_HOLES('bus').size).toBe(0);
  });
});

describe('modelled utilisation', () => {
  const costs = new Map([['a', 50], ['b', 20]]);
  it.each([
    ['one entity: cost / interval', [['a', 10_000]], 0.005],
    ['sums over entities', [['a', 10_000], ['b', 1000]], 0.025],
    ['an entity without a share costs nothing', [['a', 10_000], ['x', 1000]], 0.005],
    ['an entity without an interval adds nothing', [['a', undefined], ['b', 0]], 0],
  ] as const)('%s', (_what, polls, expected) => {
    expect(modelledUtilisation(costs, polls)).toBeCloseTo(expected, 12);
  });
});
