import { describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/config/resolve.js';
import { OutageTracker } from '../../src/telemetry/outages.js';

const failure = (entityId: string, at: number, consecutiveErrors: number) => ({ entityId, at, error: new Error('timeout'), consecutiveErrors });

describe('when a value counts as unavailable', () => {
  it('after failing twice for longer than the grace; back with its next sample', () => {
    const t = new OutageTracker(60_000);
    expect(t.onReadError(failure('a', 0, 1))).toBe(false);
    expect(t.onReadError(failure('a', 30_000, 2))).toBe(false);
    expect(t.onReadError(failure('a', 61_000, 3))).toBe(true);
    expect(t.isDown('a')).toBe(true);
    expect(t.onSample('a')).toBe(true);
    expect(t.isDown('a')).toBe(false);
  });

  it('never for an entity that keeps its last value (when_silent: last_value), set per entity or per device', () => {
    const { entities } = resolveOptions({
      connections: [{ name: 'gw', host: 'h' }],
      entities: [{ id: 'kept', name: 'Kept', connection: 'gw', address: 0, when_silent: 'last_value' }, { id: 'plain', name: 'Plain', connection: 'gw', address: 1 }],
      devices: [{ template: 'huawei_sun2000', connection: 'gw', unit_id: 2, when_silent: 'last_value' }],
    });
    const keep = new Set(entities.filter((e) => e.keepLastValue).map((e) => e.id));
    expect(keep.has('kept')).toBe(true);
    expect(keep.has('plain')).toBe(false);
    expect(keep.has('sun2000_daily_energy')).toBe(true);
    const t = new OutageTracker(60_000, (id) => keep.has(id));
    for (const id of ['kept', 'plain']) for (let i = 1; i <= 5; i++) t.onReadError(failure(id, i * 30_000, i));
    expect(t.isDown('kept')).toBe(false);
    expect(t.isDown('plain')).toBe(true);
  });
});
