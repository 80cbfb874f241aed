import { describe, expect, it } from '@jest/globals';
import { entitiesTouching } from '../../src/modbus/proxy/pollingCover.js';
import type { EntityDef } from '../../src/modbus/types.js';

function e(id: string, address: number, count = 1, extra: Partial<EntityDef> = {}): EntityDef {
  return {
    id, name: id, connection: 'dev', unitId: 1, registerType: 'holding', address, dataType: count === 2 ? 'uint32' : 'uint16', swap: 'none',
    count, scale: 1, offset: 0, precision: undefined, unitOfMeasurement: undefined, deviceClass: undefined, stateClass: undefined,
    scanIntervalMs: 1000, minIntervalMs: 1000, maxIntervalMs: 60_000, ...extra,
  };
}

describe('which polled entities a client read touches', () => {
  const entities = [e('a', 0), e('b', 1, 2), e('c', 3), e('far', 10), e('input', 0, 1, { registerType: 'input' }), e('other', 0, 1, { unitId: 2 })];

  it.each([
    ['exactly the entities', 0, 4, ['a', 'b', 'c']],
    ['part of an entity', 2, 1, ['b']],
    ['a register nobody polls beside one', 3, 2, ['c']],
    ['a gap between entities', 4, 6, []],
  ])('%s', (_what, address, count, ids) => {
    expect(entitiesTouching(entities, 'dev', 1, 3, address, count)).toEqual(ids);
  });

  it('only the same connection, unit and table count', () => {
    expect(entitiesTouching(entities, 'dev', 1, 4, 0, 1)).toEqual(['input']);
    expect(entitiesTouching(entities, 'dev', 2, 3, 0, 1)).toEqual(['other']);
    expect(entitiesTouching(entities, 'elsewhere', 1, 3, 0, 1)).toEqual([]);
  });
});
