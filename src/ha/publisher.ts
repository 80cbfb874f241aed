/**
 * Keeps Home Assistant's copy of our states equal to the newest ones, cheaply and safely:
 * - idempotent: a state is posted only when its stable serialisation differs from the last one HA
 *   accepted; after each websocket `ready` everything is posted again (HA forgets REST states when
 *   it restarts);
 * - coalescing: one post in flight, one pending value per entity, latest wins, so a slow or absent
 *   Home Assistant never builds a queue and never holds up polling (callers only set values);
 * - retried: failures that can pass (5xx, timeouts, HA down) back off exponentially and retry;
 * - never clobbering: every state carries the marker attribute, and an entity id that exists in HA
 *   without it belongs to someone else: it is reported (with the option that produced it) and skipped.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import { backoffDelay } from '../core/backoff.js';
import { HaRestError } from './haErrors.js';
import type { PostState, StateBody } from './restClient.js';
import { stableJson } from '../core/stableJson.js';

/** Every state we post carries this attribute; an entity without it is not ours. */
export const MARKER_ATTRIBUTE = 'managed_by';
export const MARKER_VALUE = 'modbus_optimizer';

export interface PublisherDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  post: PostState;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * Set when posting needs an ownership check first (Home Assistant on): called when an entity
   * declared after the last check is about to be posted, so the owner runs get_states again.
   */
  requestOwnershipCheck?: () => void;
}

/** An entity as Home Assistant lists it (get_states). */
export interface HaState {
  entity_id: string;
  attributes?: Record<string, unknown>;
}

interface Latest {
  body: StateBody;
  text: string;
}

export class StatePublisher {
  /** Entity id → what produced it (for conflict messages). */
  private readonly origins = new Map<string, string>();
  private readonly latest = new Map<string, Latest>();
  /** Serialisation HA last accepted, per entity. */
  private readonly posted = new Map<string, string>();
  private readonly pending = new Set<string>();
  private foreign = new Set<string>();
  /** Declared ids covered by the last ownership check. */
  private checked = new Set<string>();
  private isOpen = false;
  private stopped = false;
  private pumping: Promise<void> | undefined;
  private retryTimer: TimerHandle | undefined;
  private inFlight: AbortController | undefined;
  private failures = 0;
  private readonly errorReported = new Set<string>();

  constructor(private readonly deps: PublisherDeps) {}

  /** Declares an entity id we publish and what produced it, so conflicts can name the option. */
  declare(entityId: string, origin: string): void {
    this.origins.set(entityId, origin);
  }

  declared(): string[] {
    return [...this.origins.keys()];
  }

  /** Sets the newest state; it is posted when it differs from what HA last accepted. */
  set(entityId: string, state: string, attributes: Record<string, unknown>): void {
    if (!this.origins.has(entityId)) this.declare(entityId, 'an undeclared source');
    const latest = this.latest.get(entityId);
    if (latest !== undefined && sameShallow(latest.body, state, attributes)) return;
    const body = { state, attributes: { ...attributes, [MARKER_ATTRIBUTE]: MARKER_VALUE } };
    const text = stableJson(body);
    if (latest?.text === text) return;
    this.latest.set(entityId, { body, text });
    if (this.posted.get(entityId) === text) this.pending.delete(entityId);
    else this.pending.add(entityId);
    this.kick();
  }

  /** Newest state per entity (what HA shows once caught up). */
  current(entityId: string): StateBody | undefined {
    return this.latest.get(entityId)?.body;
  }

  /**
   * Checks HA's states for entities we would publish that exist without our marker. Returns the
   * conflicting ids; each is logged with the option that produced it.
   */
  checkOwnership(states: readonly HaState[]): string[] {
    const byId = new Map(states.map((s) => [s.entity_id, s]));
    const foreign = new Set<string>();
    for (const [id, origin] of this.origins) {
      const existing = byId.get(id);
      if (!existing || existing.attributes?.[MARKER_ATTRIBUTE] === MARKER_VALUE) continue;
      foreign.add(id);
      this.deps.logger.error(`${id} already exists in Home Assistant and was not created by this app ` +
        `(no ${MARKER_ATTRIBUTE}: ${MARKER_VALUE} attribute): not publishing it. It comes from ${origin}.`);
    }
    for (const id of this.foreign) {
      if (!foreign.has(id)) this.deps.logger.info(`${id} no longer belongs to someone else: publishing it again`);
    }
    this.foreign = foreign;
    this.checked = new Set(this.origins.keys());
    return [...foreign];
  }

  /** HA is reachable and ownership was checked: post everything again (after each `ready`, and after a re-check). */
  open(): void {
    this.isOpen = true;
    this.posted.clear();
    for (const id of this.latest.keys()) this.pending.add(id);
    this.failures = 0;
    this.deps.clock.clearTimer(this.retryTimer);
    this.retryTimer = undefined;
    this.kick();
  }

  /** HA went away: hold values (latest wins) until the next open(). */
  close(): void {
    this.isOpen = false;
  }

  pendingCount(): number {
    return this.pending.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.isOpen = false;
    this.deps.clock.clearTimer(this.retryTimer);
    this.inFlight?.abort();
    await this.pumping;
  }

  private kick(): void {
    if (this.pumping || !this.isOpen || this.stopped || this.retryTimer) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.pending.size > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    while (this.isOpen && !this.stopped && !this.retryTimer) {
      const id = this.pending.values().next().value;
      if (id === undefined) return;
      const item = this.latest.get(id);
      if (!item || this.foreign.has(id)) {
        this.pending.delete(id);
        continue;
      }
      if (this.deps.requestOwnershipCheck && !this.checked.has(id)) {
        this.isOpen = false; // until the check for the newly declared ids has run
        this.deps.requestOwnershipCheck();
        return;
      }
      await this.postOne(id, item);
    }
  }

  private async postOne(id: string, item: Latest): Promise<void> {
    this.inFlight = new AbortController();
    try {
      const status = await this.deps.post(id, item.body, this.inFlight.signal);
      this.deps.logger.trace(`POST ${id} → ${status}`);
      this.accepted(id, item.text);
      if (this.failures > 0) this.deps.logger.info(`Home Assistant accepts states again; catching up ${this.pending.size} state(s)`);
      this.failures = 0;
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof HaRestError && !err.retry) {
        this.accepted(id, item.text); // the same body would fail again; a new value gets a new try
        this.reportOnce(id, `${describeError(err)}; not retrying this value`);
        return;
      }
      this.backOff(err);
    } finally {
      this.inFlight = undefined;
    }
  }

  private accepted(id: string, text: string): void {
    this.posted.set(id, text);
    if (this.latest.get(id)?.text === text) this.pending.delete(id);
  }

  private backOff(err: unknown): void {
    const delay = backoffDelay(this.failures, this.deps.retryBaseMs ?? 1000, this.deps.retryMaxMs ?? 60_000, this.deps.random);
    const line = `${describeError(err)}; ${this.pending.size} state(s) held (newest kept), retrying in ${(delay / 1000).toFixed(1)} s`;
    if (this.failures === 0) this.deps.logger.warn(line);
    else this.deps.logger.debug(line);
    this.failures++;
    this.retryTimer = this.deps.clock.setTimer(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delay);
  }

  private reportOnce(id: string, line: string): void {
    const key = `${id}\n${line}`;
    if (this.errorReported.has(key)) return;
    if (this.errorReported.size > 1000) this.errorReported.clear();
    this.errorReported.add(key);
    this.deps.logger.error(line);
  }
}

/**
 * True when `state` and `attributes` (all primitive values) equal the body last set, so its stable
 * serialisation would be equal too: most samples repeat the shown value, and this spares serialising
 * each of them. Any object value takes the full comparison (it could have changed in place).
 */
function sameShallow(body: StateBody, state: string, attributes: Record<string, unknown>): boolean {
  if (body.state !== state) return false;
  const previous = body.attributes;
  let keys = 0;
  for (const key in attributes) {
    const value = attributes[key];
    if ((typeof value === 'object' && value !== null) || !Object.is(value, previous[key])) return false;
    keys++;
  }
  return !(MARKER_ATTRIBUTE in attributes) && Object.keys(previous).length === keys + 1;
}
