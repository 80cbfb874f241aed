/**
 * Taking one entity out of the open experiments when a regime shift moves it (issue 15 item 5): what
 * it shows in the rest of the window would be the shift's effect, not the move's, and a control arm
 * must not keep a value that just woke up at its night interval for the rest of an hour-long window.
 * Only interval moves are withdrawn (an entity held by a cluster or pattern change stays locked). A
 * held-back move is dropped; an applied one stays applied but is no longer judged or undone (the
 * shift sets the interval anyway). A record left with nothing applied is closed unjudged: no
 * verdict, no success-rate update, no memory of a loss.
 */
import type { LoopState } from './loopState.js';
import type { Change } from './types.js';

export interface Withdrawal {
  /** Whether the entity is in no open experiment any more. */
  freed: boolean;
  /** Records the entity was taken out of. */
  records: number[];
  /** Records closed unjudged because nothing applied was left. */
  closed: number[];
}

const isMoveOf = (c: Change, entityId: string) => c.kind === 'interval' && c.target === entityId && c.entities.length === 1;

export function withdrawEntity(state: LoopState, entityId: string, now: number): Withdrawal {
  const out: Withdrawal = { freed: true, records: [], closed: [] };
  for (const record of state.history) {
    const exp = record.experiment;
    if (record.evaluatedAt !== undefined || !exp) continue;
    const held = [...record.changes, ...exp.control].filter((c) => c.entities.includes(entityId));
    if (held.length === 0) continue;
    if (!held.every((c) => isMoveOf(c, entityId))) {
      out.freed = false;
      continue;
    }
    record.changes = record.changes.filter((c) => !isMoveOf(c, entityId));
    exp.control = exp.control.filter((c) => !isMoveOf(c, entityId));
    record.withdrawn = (record.withdrawn ?? 0) + 1;
    out.records.push(record.id);
    if (record.changes.length === 0) {
      record.evaluatedAt = now;
      out.closed.push(record.id);
    }
  }
  return out;
}
