/**
 * A regime shift takes an entity out of the open experiments (optimizer/experimentWithdraw.ts): its
 * interval moves leave both arms, a record with nothing applied left is closed unjudged, a judged
 * record is untouched, and an entity held by a cluster change stays locked.
 */
import { describe, expect, it } from '@jest/globals';
import { withdrawEntity } from '../../src/optimizer/experimentWithdraw.js';
import { emptyLoopState } from '../../src/optimizer/loopState.js';
import type { Change, OptimizationRecord } from '../../src/optimizer/types.js';

const move = (id: string, from = 300_000, to = 15_000): Change => ({ kind: 'interval', target: id, before: from, after: to, entities: [id] });
const cluster = (ids: string[]): Change => ({ kind: 'cluster', target: ids.join('+'), before: null, after: ids, entities: ids });

function record(id: number, changes: Change[], control: Change[], evaluatedAt?: number): OptimizationRecord {
  return {
    id, strategy: changes[0]?.kind ?? 'interval', trigger: 'quick', by: 'scheduler', appliedAt: 0, settleMs: 0, windowMs: 3_600_000,
    before: {} as OptimizationRecord['before'], after: undefined, score: undefined, evaluatedAt, rolledBack: false, changes, summary: '',
    experiment: { control, plans: [], windowFrom: 0, startCounters: {}, startBusyMs: {} },
  };
}

describe('withdrawEntity', () => {
  it('drops the entity from the control arm and keeps the rest of the experiment open', () => {
    const state = emptyLoopState();
    state.history.push(record(1, [move('a')], [move('pv'), move('b')]));
    const w = withdrawEntity(state, 'pv', 10);
    expect(w).toEqual({ freed: true, records: [1], closed: [] });
    expect(state.history[0]?.experiment?.control.map((c) => c.target)).toEqual(['b']);
    expect(state.history[0]?.changes.map((c) => c.target)).toEqual(['a']);
    expect(state.history[0]?.evaluatedAt).toBeUndefined();
    expect(state.history[0]?.withdrawn).toBe(1);
  });

  it('closes unjudged a record whose only applied move it was', () => {
    const state = emptyLoopState();
    state.history.push(record(2, [move('pv')], [move('b')]));
    expect(withdrawEntity(state, 'pv', 10)).toEqual({ freed: true, records: [2], closed: [2] });
    expect(state.history[0]).toMatchObject({ evaluatedAt: 10, score: undefined, rolledBack: false, changes: [] });
  });

  it('leaves judged records and other entities alone, and does not free an entity a cluster change holds', () => {
    const state = emptyLoopState();
    state.history.push(record(3, [move('pv')], [], 5), record(4, [cluster(['pv', 'load'])], []));
    expect(withdrawEntity(state, 'pv', 10)).toEqual({ freed: false, records: [], closed: [] });
    expect(state.history[0]?.changes).toHaveLength(1);
    expect(state.history[1]?.changes).toHaveLength(1);
    expect(withdrawEntity(state, 'other', 10)).toEqual({ freed: true, records: [], closed: [] });
  });
});
