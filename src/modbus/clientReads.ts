/**
 * Reads other masters make through the proxy that the poller takes into its own cycle (issue 13):
 * the requested span is planned as one more item beside whatever is due, so it shares a block with
 * the app's polling instead of costing a request of its own, and the entities inside it are read in
 * that block and count as polled (values, statistics, due time). A client that reads a value about as
 * often as the app polls it then takes that polling over: the app's next poll waits a little past the
 * client's next read, so the app never re-reads what the client's read has just fetched. Pure rules;
 * the poller keeps the queue.
 */
import type { BlockRequest, ReadItem } from './planner.js';

/** A span a client asked for, waiting for the lane's next cycle. */
export interface ClientSpan {
  connection: string;
  item: ReadItem;
  /** Resolves with whether the span's block was read (its registers are then in the bus's cache). */
  done(ok: boolean): void;
}

/** A client reading "about as often" as the app polls: its period is at most this much longer (jitter). */
export const TAKEOVER_SLACK = 1.05;

const SPAN_KEY = 'client:';

/** The read item of a client's span (its key tells it apart from the entities' items). */
export function spanItem(n: number, item: Omit<ReadItem, 'key'>): ReadItem {
  return { ...item, key: `${SPAN_KEY}${n}` };
}

/** The plan's blocks with those carrying a client's span first (in plan order otherwise): the client is waiting. */
export function clientBlocksFirst(blocks: readonly BlockRequest[]): BlockRequest[] {
  const carries = (b: BlockRequest) => b.items.some((i) => i.key.startsWith(SPAN_KEY));
  return [...blocks.filter(carries), ...blocks.filter((b) => !carries(b))];
}

/** Whether an entity's registers lie wholly inside the span (reading them with it costs nothing more). */
export function insideSpan(entity: ReadItem, span: ReadItem): boolean {
  return entity.unitId === span.unitId && entity.fn === span.fn
    && entity.address >= span.address && entity.address + entity.count <= span.address + span.count;
}

/**
 * When a client's read has just polled an entity at `now`: the entity's next due time if the client
 * takes its polling over (it reads about as often as `intervalMs`), else undefined (the normal
 * schedule). Not for entities under a demand cap: those are polled on their grid so that the fast
 * client's reads hit the cache.
 */
export function takeoverDueMs(now: number, intervalMs: number, clientPeriodMs: number | undefined, capped: boolean): number | undefined {
  if (capped || clientPeriodMs === undefined || clientPeriodMs > intervalMs * TAKEOVER_SLACK) return undefined;
  return now + TAKEOVER_SLACK * Math.max(intervalMs, clientPeriodMs);
}
