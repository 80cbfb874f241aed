/**
 * The poller: keeps every entity's due time in a heap per physical bus, and when the earliest falls
 * due reads everything due within a short window as planned block requests. Due times are aligned to
 * multiples of each entity's interval, so entities on the same interval stay in phase. Each bus runs its own
 * cycle, so a slow or dead bus never delays another. A bus that cannot keep up skips rather than
 * queues: late entities are counted as overruns and their schedule slips. Intervals can change at
 * any time (the optimizer does that) and `readNow` pulls an entity forward. `readSpan` takes another
 * master's read (through the proxy) into the next cycle, planned with whatever is due (clientReads.ts).
 */
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/eventBus.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { readBlock, type BlockReadContext } from './blockReader.js';
import { laneHoles, laneReadContext, laneReadSizes, newLane, restoreLaneHoles, restoreLaneReadSizes, type BusLane } from './busLane.js';
import { clientBlocksFirst, insideSpan, spanItem, takeoverDueMs, type ClientSpan } from './clientReads.js';
import { EntityRuntime, isSample } from './entityRuntime.js';
import { HoleSet, type HoleRange } from './holes.js';
import { planReads, type BlockRequest, type PlanLimits, type ReadItem } from './planner.js';
import { planLimitsOf } from './readPlan.js';
import type { ReadSizeRecord } from './readSizes.js';
import type { BusStatus, EntityStatus, PollerEvents, PollerView, Sample } from './pollerTypes.js';
import type { Bus } from './transport.js';
import { busKeyOf, type ConnectionDef, type EntityDef } from './types.js';

export interface PollerDeps {
  clock: Clock;
  logger: Logger;
  connections: readonly ConnectionDef[];
  entities: readonly EntityDef[];
  /** One Bus per physical bus, keyed by busKeyOf(connection). */
  buses: ReadonlyMap<string, Bus>;
  /** Holes known at start, applied to every bus (tests); learned holes are kept per bus. */
  holes?: HoleSet;
  events: EventBus<PollerEvents>;
  /** Entities due within this window (and a quarter of their interval) join the current cycle. */
  coalesceWindowMs?: number;
  /** Read planner; default planReads (baselines in the benchmark substitute their own). */
  plan?: (items: readonly ReadItem[], limits: PlanLimits) => BlockRequest[];
}

export class Poller implements PollerView {
  private readonly runtimes = new Map<string, EntityRuntime>();
  private readonly lanes = new Map<string, BusLane>();
  private stopped = true;
  /** Entities read together: when one is due, the others due within half their interval join it. */
  private companions = new Map<string, readonly string[]>();
  private readonly conns: ReadonlyMap<string, ConnectionDef>;
  /** Each connection's entities, so a client's span finds the values inside it without a scan of all. */
  private readonly byConnection = new Map<string, EntityRuntime[]>();
  private spanCount = 0;

  constructor(private readonly deps: PollerDeps) {
    const conns = new Map(deps.connections.map((c) => [c.name, c]));
    this.conns = conns;
    for (const def of deps.entities) {
      const conn = conns.get(def.connection);
      if (!conn) throw new Error(`entity ${def.id}: unknown connection ${def.connection}`);
      const key = busKeyOf(conn);
      const bus = deps.buses.get(key);
      if (!bus) throw new Error(`entity ${def.id}: no bus for ${key}`);
      const rt = new EntityRuntime(def, conn, key);
      this.runtimes.set(def.id, rt);
      const same = this.byConnection.get(conn.name);
      if (same) same.push(rt);
      else this.byConnection.set(conn.name, [rt]);
      if (!this.lanes.has(key)) this.lanes.set(key, newLane(key, bus, deps.clock.now(), deps.holes));
    }
  }

  start(): void {
    this.stopped = false;
    const now = this.deps.clock.now();
    for (const rt of this.runtimes.values()) this.schedule(rt, now);
    for (const lane of this.lanes.values()) this.arm(lane);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes.values()) this.deps.clock.clearTimer(lane.timer);
    await Promise.all([...this.lanes.values()].map((l) => l.running ?? Promise.resolve()));
    for (const rt of this.runtimes.values()) rt.abandon(new Error('poller stopped'));
    for (const lane of this.lanes.values()) for (const span of lane.spans.splice(0)) span.done(false);
  }

  entityIds(): string[] {
    return [...this.runtimes.keys()];
  }

  entityStatus(id: string): EntityStatus | undefined {
    const s = this.runtimes.get(id)?.status;
    return s ? { ...s } : undefined;
  }

  allEntityStatus(): EntityStatus[] {
    return [...this.runtimes.values()].map((rt) => ({ ...rt.status }));
  }

  busStatus(): BusStatus[] {
    return [...this.lanes.values()].map((l) => ({ ...l.status }));
  }

  /** Learned illegal-address ranges per bus (persisted by the store). */
  holeList(): Array<HoleRange & { bus: string }> {
    return laneHoles(this.lanes.values());
  }

  /** Restores holes learned in an earlier run; ranges of buses that no longer exist are ignored. */
  restoreHoles(list: ReadonlyArray<HoleRange & { bus: string }>): number {
    return restoreLaneHoles(this.lanes, list);
  }

  /** Learned read sizes per bus and unit (persisted by the store, shown in the plan view). */
  readSizeList(): Array<ReadSizeRecord & { bus: string }> {
    return laneReadSizes(this.lanes.values());
  }

  /** Restores read sizes learned in an earlier run; those of buses that no longer exist are ignored. */
  restoreReadSizes(list: ReadonlyArray<ReadSizeRecord & { bus: string }>): number {
    return restoreLaneReadSizes(this.lanes, list);
  }

  intervalMs(id: string): number | undefined {
    return this.runtimes.get(id)?.intervalMs;
  }

  setIntervalMs(id: string, ms: number): number {
    const rt = this.mustGet(id);
    rt.wantedMs = ms;
    return this.applyInterval(rt);
  }

  /**
   * Polls an entity at least every `capMs` while another master (through the proxy) reads it that
   * often; undefined lifts the cap and the interval last asked for applies again.
   */
  setDemandCap(id: string, capMs: number | undefined): void {
    const rt = this.mustGet(id);
    if (rt.demandCapMs === capMs) return;
    rt.demandCapMs = capMs;
    if (rt.clampInterval(rt.wantedMs) !== rt.intervalMs) this.applyInterval(rt);
  }

  private applyInterval(rt: EntityRuntime): number {
    const applied = rt.clampInterval(rt.wantedMs);
    rt.status.intervalMs = applied;
    const now = this.deps.clock.now();
    this.schedule(rt, alignUp(Math.max(now, (rt.status.lastReadAt ?? now) + applied / 2), applied));
    return applied;
  }

  /** Co-schedules groups (e.g. adopted clusters); replaces the previous groups. */
  setCompanions(groups: readonly (readonly string[])[]): void {
    const map = new Map<string, string[]>();
    for (const group of groups) {
      for (const id of group) {
        const list = map.get(id) ?? [];
        list.push(...group.filter((m) => m !== id));
        map.set(id, list);
      }
    }
    this.companions = map;
  }

  readNow(id: string): Promise<Sample> {
    const rt = this.mustGet(id);
    if (this.stopped) return Promise.reject(new Error('poller stopped'));
    const done = rt.waitForRead();
    rt.triggered = true;
    this.schedule(rt, this.deps.clock.now());
    return done;
  }

  /**
   * Reads a client's span of `connection` in the lane's next cycle, planned with whatever is due; the
   * entities wholly inside it are read in the same block and count as polled. `clientPeriodMs` says
   * how often the client reads an entity (undefined: not known), so that a client reading about as
   * often as the app polls takes that polling over. Resolves with whether the span's block was read.
   */
  readSpan(connection: string, item: Omit<ReadItem, 'key'>, clientPeriodMs: (id: string) => number | undefined = () => undefined): Promise<boolean> {
    const conn = this.conns.get(connection);
    const lane = conn && this.lanes.get(busKeyOf(conn));
    if (!conn || !lane || this.stopped) return Promise.resolve(false);
    const span = spanItem(++this.spanCount, item);
    const now = this.deps.clock.now();
    for (const rt of this.byConnection.get(connection) ?? []) {
      if (!insideSpan(rt.item, span)) continue;
      rt.triggered = true;
      rt.clientPeriodMs = clientPeriodMs(rt.def.id);
      this.schedule(rt, now);
    }
    return new Promise((resolve) => {
      lane.spans.push({ connection, item: span, done: resolve });
      this.arm(lane);
    });
  }

  /**
   * The device answered a read of these registers outside the poller (a client's, through the proxy):
   * a learned hole that covers them was wider than the registers really missing, and shrinks.
   */
  registersAnswered(connection: string, item: Omit<ReadItem, 'key'>): void {
    const conn = this.conns.get(connection);
    const lane = conn && this.lanes.get(busKeyOf(conn));
    const end = item.address + item.count;
    if (!lane?.holes.remove(item.unitId, item.fn, item.address, end)) return;
    this.deps.logger.info(`${lane.key} unit ${item.unitId} fc${item.fn}: registers ${item.address}..${end - 1} answered a client's read; no longer avoided as illegal`);
  }

  private mustGet(id: string): EntityRuntime {
    const rt = this.runtimes.get(id);
    if (!rt) throw new Error(`unknown entity "${id}"`);
    return rt;
  }

  private laneOf(rt: EntityRuntime): BusLane {
    const lane = this.lanes.get(rt.status.bus);
    if (!lane) throw new Error(`no lane for ${rt.status.bus}`);
    return lane;
  }

  private schedule(rt: EntityRuntime, dueMs: number): void {
    rt.nextDueMs = dueMs;
    rt.dueVersion++;
    const lane = this.laneOf(rt);
    lane.heap.push(dueMs, { rt, version: rt.dueVersion });
    if (!lane.running) this.arm(lane);
  }

  /** Arms the lane's timer for its earliest due entity (no-op while a cycle runs). */
  private arm(lane: BusLane): void {
    if (this.stopped || lane.running) return;
    this.deps.clock.clearTimer(lane.timer);
    lane.timer = undefined;
    const first = this.peekValid(lane);
    if (!first && lane.spans.length === 0) return;
    const delay = lane.spans.length > 0 || !first ? 0 : Math.max(0, first.nextDueMs - this.deps.clock.now());
    lane.timer = this.deps.clock.setTimer(() => this.startCycle(lane), delay);
  }

  private peekValid(lane: BusLane): EntityRuntime | undefined {
    for (;;) {
      const top = lane.heap.peek();
      if (!top || top.version === top.rt.dueVersion) return top?.rt;
      lane.heap.pop();
    }
  }

  private startCycle(lane: BusLane): void {
    lane.timer = undefined;
    lane.running = this.runCycle(lane)
      .catch((err: unknown) => this.deps.logger.error(`Poll cycle on ${lane.key} failed: ${describeError(err)}`))
      .finally(() => {
        lane.running = undefined;
        this.arm(lane);
      });
  }

  private async runCycle(lane: BusLane): Promise<void> {
    const due = this.collectDue(lane);
    const spans = lane.spans.splice(0);
    if (due.length === 0 && spans.length === 0) return;
    lane.status.cycles++;
    const read = new Set<string>();
    try {
      // a client waits for its answer: the connections and blocks that carry its span go first
      const groups = [...this.groupByConnection(due, spans)].sort(([, a], [, b]) => b.spans.length - a.spans.length);
      for (const [conn, group] of groups) {
        const limits = planLimitsOf(conn, lane.holes, lane.sizes);
        const byKey = new Map(group.due.map((rt) => [rt.item.key, rt]));
        const ctx = this.readContext(lane, limits.timing);
        const plan = this.deps.plan ?? planReads;
        const blocks = plan([...group.due.map((rt) => rt.item), ...group.spans.map((s) => s.item)], limits);
        for (const block of clientBlocksFirst(blocks)) {
          if (this.stopped) break;
          const outcomes = await readBlock(ctx, block);
          for (const [key, outcome] of outcomes) {
            const rt = byKey.get(key);
            if (rt) this.publish(rt.apply(outcome));
            else if (outcome.ok) read.add(key);
          }
        }
      }
    } finally {
      for (const span of spans) span.done(read.has(span.item.key));
    }
    for (const rt of due) this.scheduleNext(lane, rt);
  }

  /** Pops every entity due now or within its coalescing window. */
  private collectDue(lane: BusLane): EntityRuntime[] {
    const now = this.deps.clock.now();
    const window = this.deps.coalesceWindowMs ?? 1000;
    const due: EntityRuntime[] = [];
    const notYet: EntityRuntime[] = [];
    for (;;) {
      const rt = this.peekValid(lane);
      if (!rt || rt.nextDueMs > now + window) break;
      lane.heap.pop();
      rt.dueVersion++;
      rt.cycleVersion = rt.dueVersion;
      // a value a client's reads keep fresh is not pulled ahead of its due time: that would come before the client's next read
      if (rt.nextDueMs <= now + (rt.takenOver ? 0 : Math.min(window, rt.intervalMs / 4))) {
        rt.takenOver = false;
        due.push(rt);
      } else notYet.push(rt);
    }
    for (const rt of notYet) this.schedule(rt, rt.nextDueMs);
    if (this.companions.size > 0) this.pullCompanions(due, now);
    return due;
  }

  /** Adds companions of due entities that are due within half their interval, re-phased to now. */
  private pullCompanions(due: EntityRuntime[], now: number): void {
    const taken = new Set(due);
    for (const rt of [...due]) {
      for (const id of this.companions.get(rt.def.id) ?? []) {
        const c = this.runtimes.get(id);
        if (!c || taken.has(c) || c.status.bus !== rt.status.bus || c.nextDueMs > now + c.intervalMs / 2) continue;
        c.dueVersion++;
        c.cycleVersion = c.dueVersion;
        c.nextDueMs = now;
        taken.add(c);
        due.push(c);
      }
    }
  }

  /** Due entities and clients' spans by connection (each connection is planned with its own limits). */
  private groupByConnection(due: EntityRuntime[], spans: ClientSpan[]): Map<ConnectionDef, { due: EntityRuntime[]; spans: ClientSpan[] }> {
    const groups = new Map<ConnectionDef, { due: EntityRuntime[]; spans: ClientSpan[] }>();
    const groupOf = (conn: ConnectionDef) => {
      let g = groups.get(conn);
      if (!g) groups.set(conn, (g = { due: [], spans: [] }));
      return g;
    };
    for (const rt of due) groupOf(rt.conn).due.push(rt);
    for (const span of spans) groupOf(this.conns.get(span.connection) as ConnectionDef).spans.push(span);
    return groups;
  }

  private scheduleNext(lane: BusLane, rt: EntityRuntime): void {
    if (rt.dueVersion !== rt.cycleVersion) return; // rescheduled during the cycle (readNow, setIntervalMs)
    const now = this.deps.clock.now();
    const interval = rt.status.illegalAddress ? rt.def.maxIntervalMs : rt.intervalMs;
    const takenOver = takeoverDueMs(now, interval, rt.clientPeriodMs, rt.demandCapMs !== undefined);
    rt.clientPeriodMs = undefined;
    if (takenOver !== undefined && !rt.status.illegalAddress) {
      rt.takenOver = true;
      this.schedule(rt, takenOver); // the client's next read comes first and polls it again
      return;
    }
    let next = alignUp(rt.nextDueMs + interval / 2, interval);
    if (next <= now) {
      lane.status.overruns++; // a whole slot was missed: skip it and read again as soon as the bus is free
      next = now;
    }
    this.schedule(rt, next);
  }

  private readContext(lane: BusLane, timing: BlockReadContext['timing']): BlockReadContext {
    return laneReadContext(lane, timing, this.deps);
  }

  private publish(result: ReturnType<EntityRuntime['apply']>): void {
    if (isSample(result)) this.deps.events.emit('sample', result);
    else this.deps.events.emit('readError', result);
  }
}

/**
 * The first multiple of `interval` (counted from the epoch) at or after `t`. Entities with the same
 * interval therefore fall due at the same instants and share block reads, and on a power-of-two
 * ladder of intervals every faster rung coincides with every slower one.
 */
export function alignUp(t: number, interval: number): number {
  return interval > 0 ? Math.ceil(t / interval) * interval : t;
}
