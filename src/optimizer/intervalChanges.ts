/**
 * Setting and undoing one entity's interval as a reversible Change, shared by every strategy that
 * moves intervals (interval, pattern) so rollback behaves the same everywhere: a change is undone
 * only while the interval is still what it set.
 */
import type { PollerView } from '../modbus/pollerTypes.js';
import type { Change } from './types.js';

export type IntervalPoller = Pick<PollerView, 'intervalMs' | 'setIntervalMs'>;

/** Sets the interval; returns the change, or undefined when nothing moved. */
export function applyInterval(poller: IntervalPoller, entityId: string, ms: number): Change | undefined {
  const before = poller.intervalMs(entityId);
  const after = poller.setIntervalMs(entityId, Math.round(ms));
  return before === undefined || after === before ? undefined : { kind: 'interval', target: entityId, before, after, entities: [entityId] };
}

/**
 * Applies a proposed interval change while the interval is still its `before`; `after` becomes the
 * value the poller applied (the entity's own bounds may clamp it).
 */
export function applyProposedInterval(poller: IntervalPoller, change: Change): boolean {
  if (poller.intervalMs(change.target) !== change.before) return false;
  change.after = poller.setIntervalMs(change.target, change.after as number);
  return change.after !== change.before;
}

export function revertInterval(poller: IntervalPoller, change: Change): boolean {
  if (poller.intervalMs(change.target) !== change.after) return false;
  poller.setIntervalMs(change.target, change.before as number);
  return true;
}
