/**
 * One queue per physical bus. RS-485 lines and most TCP gateways answer one request at a time, and
 * the failures users of other Modbus integrations complain about most are all scheduling failures:
 * collisions, queues that grow for minutes behind a dead gateway, one silent device stalling every
 * other device on the line, busy replies taken as data. The Bus owns its Link and fixes those in one
 * place: FIFO (writes ahead of queued reads) with exactly one request in flight, a pause between requests, lazy (re)connect with
 * capped exponential back-off and jitter, fail-fast while down, busy retries, and a per-unit back-off
 * so a dead unit costs the others at most one timeout per attempt. Time comes from the injected
 * clock and jitter from the injected random source, so all of this runs under a virtual clock too.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { asError, ModbusConnectionError, ModbusError, ModbusExceptionError, ModbusTimeoutError, type ModbusContext } from '../core/errors.js';
import { backoffDelay } from '../core/backoff.js';
import type { Logger } from '../core/logger.js';
import type { Bus, BusCounters, Link, ReadReply, ReadRequest, WriteCoilRequest, WriteRegistersRequest } from './transport.js';
import { SleepTracker, type SleepOptions } from './unitSleep.js';
import { StormTracker, TROUBLE_CODES } from './unitStorms.js';

export interface BusOptions {
  /** Pause after each request before the next one is sent (ms). */
  messageWaitMs: number;
  /** How often a "server device busy" (exception 6) reply is retried. */
  busyRetries: number;
  busyRetryDelayMs: number;
  /** Reconnect back-off: min(max, base · 2^n) scaled by a jitter factor in [0.5, 1). */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Per-unit back-off after a timeout, same shape. */
  unitBackoffBaseMs: number;
  unitBackoffMaxMs: number;
  /** Pause before a request to a unit that declares one, when longer than messageWaitMs (ms). */
  unitPauseMs?: ReadonlyMap<number, number>;
  /** Pause after the link opens before the first request (ms): some dongles drop early requests. */
  connectPauseMs?: number;
  /** When a silent unit counts as asleep and how often it is probed then (unitSleep.ts). */
  sleep?: SleepOptions;
  /**
   * Reopen the link after this many timeouts in a row with no answer of any kind between them (a TCP
   * connection whose peer vanished without a FIN stays "open" and swallows every request); absent = never.
   */
  reopenAfterTimeouts?: number;
}

export const DEFAULT_BUS_OPTIONS: Omit<BusOptions, 'messageWaitMs'> = {
  busyRetries: 3, busyRetryDelayMs: 100, reconnectBaseMs: 500, reconnectMaxMs: 30_000, unitBackoffBaseMs: 1_000, unitBackoffMaxMs: 60_000,
};

export interface BusDeps {
  /** busKeyOf(connection): identifies the physical bus. */
  key: string;
  connectionName: string;
  createLink: () => Link;
  clock: Clock;
  /** Uniform in [0, 1); the jitter source. */
  random: () => number;
  logger: Logger;
  options: Pick<BusOptions, 'messageWaitMs'> & Partial<BusOptions>;
}

interface Job {
  ctx: ModbusContext;
  /** Writes go ahead of queued reads (behind the request in flight and earlier writes). */
  priority: boolean;
  run: (link: Link) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** Consecutive failures and when the next attempt may go out (clock ms). */
type Backoff = { failures: number; retryAt: number };

class QueuedBus implements Bus {
  readonly key: string;
  private readonly opts: BusOptions;
  private readonly queue: Job[] = [];
  private readonly units = new Map<number, Backoff>();
  /** Units whose last request was answered: their next timeout is taken as a lost frame, not silence. */
  private readonly answeredLast = new Set<number>();
  private readonly sleep: SleepTracker;
  private readonly storms: StormTracker;
  /** Units announced as asleep (the log says so once per night). */
  private readonly sleepers = new Set<number>();
  /** Timeouts in a row with no answer of any kind between them. */
  private silentInARow = 0;
  private readonly tally: BusCounters = { requests: 0, errors: 0, timeouts: 0, busyRetries: 0, reconnects: 0, busyMs: 0 };
  private link: Link | undefined;
  private down: Backoff | undefined;
  private everConnected = false;
  private inFlight = false;
  private draining = false;
  /** The latest drain loop; stop() waits for it. */
  private pump: Promise<void> = Promise.resolve();
  private lastEndAt: number | undefined;
  private waitTimer: { handle: TimerHandle; wake: () => void } | undefined;
  private stopped = false;

  constructor(private readonly deps: BusDeps) {
    this.key = deps.key;
    this.opts = { ...DEFAULT_BUS_OPTIONS, ...deps.options };
    this.sleep = new SleepTracker(this.opts.sleep);
    this.storms = new StormTracker(this.opts.unitBackoffBaseMs, deps.random);
  }

  async read(req: ReadRequest): Promise<ReadReply> {
    const ctx = this.ctxOf(req.unitId, req.fn, req.address, req.count);
    let durationMs = 0;
    const data = await this.submit(ctx, async (link) => {
      const started = this.deps.clock.now();
      const words = await link.read(req);
      durationMs = this.deps.clock.now() - started;
      return words;
    });
    return { data: data as number[], durationMs };
  }

  async writeRegisters(req: WriteRegistersRequest): Promise<void> {
    await this.submit(this.ctxOf(req.unitId, req.single ? 6 : 16, req.address, req.values.length), (link) => link.writeRegisters(req), true);
  }

  async writeCoil(req: WriteCoilRequest): Promise<void> {
    await this.submit(this.ctxOf(req.unitId, 5, req.address, 1), (link) => link.writeCoil(req), true);
  }

  pending(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  counters(): BusCounters {
    return { ...this.tally };
  }

  start(): Promise<void> {
    this.stopped = false; // connecting is lazy: the first request opens the link
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.rejectQueued(() => 'bus stopped');
    this.cancelWait();
    if (this.link) await this.link.close();
    await this.pump;
    this.link = undefined;
  }

  private ctxOf(unitId: number, fn: number, address: number, count: number): ModbusContext {
    return { connection: this.deps.connectionName, unitId, fn, address, count };
  }

  /** Queues a request unless it would fail anyway; starts the pump if idle. */
  private submit(ctx: ModbusContext, run: (link: Link) => Promise<unknown>, priority = false): Promise<unknown> {
    const refusal = this.refusal(ctx);
    if (refusal) return Promise.reject(refusal);
    return new Promise((resolve, reject) => {
      const job = { ctx, run, resolve, reject, priority };
      if (!priority) this.queue.push(job);
      else {
        const firstRead = this.queue.findIndex((j) => !j.priority);
        this.queue.splice(firstRead < 0 ? this.queue.length : firstRead, 0, job);
      }
      if (!this.draining) this.pump = this.drain();
    });
  }

  /** Why a request must fail without touching the wire, if it must. */
  private refusal(ctx: ModbusContext): ModbusError | undefined {
    const notSent = { notSent: true };
    if (this.stopped) return new ModbusConnectionError('bus stopped', ctx, notSent);
    const now = this.deps.clock.now();
    if (this.down && now < this.down.retryAt) {
      return new ModbusConnectionError(`connection down, retry in ${this.down.retryAt - now} ms`, ctx, notSent);
    }
    const unit = this.units.get(ctx.unitId);
    if (unit && now < unit.retryAt) {
      return new ModbusTimeoutError(`unit ${ctx.unitId} not responding, retry in ${unit.retryAt - now} ms`, ctx, notSent);
    }
    const stormMs = this.storms.waitMs(ctx.unitId, now);
    if (stormMs !== undefined) return new ModbusError(`unit ${ctx.unitId} answers only with device trouble, retry in ${stormMs} ms`, ctx, notSent);
    return undefined;
  }

  /** Runs queued jobs one at a time; `draining` flips back in the same tick the queue is seen empty. */
  private async drain(): Promise<void> {
    this.draining = true;
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      const refusal = this.refusal(job.ctx);
      if (refusal) {
        job.reject(refusal);
        continue;
      }
      this.inFlight = true;
      try {
        job.resolve(await this.execute(job));
      } catch (err) {
        job.reject(this.stopped ? new ModbusConnectionError('bus stopped', job.ctx, { cause: err }) : asError(err));
      } finally {
        this.inFlight = false;
      }
    }
    this.draining = false;
  }

  /** One logical request: connect if needed, pace, send, retry busy replies. */
  private async execute(job: Job): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const link = await this.ensureConnected(job.ctx);
      await this.pace(job.ctx.unitId);
      if (this.stopped) throw new ModbusConnectionError('bus stopped', job.ctx);
      try {
        const value = await this.exchange(link, job);
        this.silentInARow = 0;
        this.onUnitAnswered(job.ctx.unitId);
        if (this.storms.answered(job.ctx.unitId)) this.deps.logger.info(`${this.deps.connectionName}: unit ${job.ctx.unitId} answering normally again`);
        return value;
      } catch (err) {
        if (this.stopped) throw err; // our own close, not a fault
        const busy = err instanceof ModbusExceptionError && err.code === 6;
        if (!busy || attempt >= this.opts.busyRetries) throw this.onFailure(job.ctx, err);
        this.onUnitAnswered(job.ctx.unitId);
        this.tally.busyRetries++;
        this.deps.logger.debug(`${this.deps.connectionName}: unit ${job.ctx.unitId} busy, retry ${attempt + 1}/${this.opts.busyRetries}`);
        await this.wait(this.opts.busyRetryDelayMs);
      }
    }
  }

  private async exchange(link: Link, job: Job): Promise<unknown> {
    const started = this.deps.clock.now();
    this.tally.requests++;
    try {
      return await job.run(link);
    } finally {
      const end = this.deps.clock.now();
      this.tally.busyMs += end - started;
      this.lastEndAt = end;
    }
  }

  private async ensureConnected(ctx: ModbusContext): Promise<Link> {
    if (this.stopped) throw new ModbusConnectionError('bus stopped', ctx);
    const link = (this.link ??= this.deps.createLink());
    if (link.isOpen()) return link;
    try {
      await link.connect();
    } catch (err) {
      this.tally.errors++;
      throw this.onConnectionLost(ctx, err, 'connect failed');
    }
    if (this.stopped) {
      await link.close(); // stop() ran while we were connecting
      throw new ModbusConnectionError('bus stopped', ctx);
    }
    this.onConnected();
    const settle = this.opts.connectPauseMs ?? 0;
    if (settle > 0) await this.wait(settle);
    if (this.stopped) throw new ModbusConnectionError('bus stopped', ctx);
    return link;
  }

  private onConnected(): void {
    if (this.everConnected) this.tally.reconnects++;
    const verb = this.down ? 'reconnected' : 'connected';
    this.everConnected = true;
    this.down = undefined;
    this.deps.logger.info(`${this.deps.connectionName}: ${verb} (${this.key})`);
  }

  /** Sleeps until messageWaitMs (or the unit's longer pause) has passed since the previous request ended. */
  private async pace(unitId: number): Promise<void> {
    const pause = Math.max(this.opts.messageWaitMs, this.opts.unitPauseMs?.get(unitId) ?? 0);
    if (this.lastEndAt === undefined || pause <= 0) return;
    const nextAt = this.lastEndAt + pause;
    // Re-check after waking: a wall-clock timer may fire a millisecond early.
    for (let due = nextAt - this.deps.clock.now(); due > 0 && !this.stopped; due = nextAt - this.deps.clock.now()) {
      await this.wait(due);
    }
  }

  /** Classifies a failed exchange, updates counters and back-off, returns the error to reject with. */
  private onFailure(ctx: ModbusContext, err: unknown): Error {
    this.tally.errors++;
    if (err instanceof ModbusConnectionError) return this.onConnectionLost(ctx, err, 'connection lost');
    if (err instanceof ModbusTimeoutError) {
      this.tally.timeouts++;
      this.onUnitTimeout(ctx.unitId, err);
      this.onSilence();
    } else this.silentInARow = 0; // an exception or a bad reply is still an answer: the line is alive
    if (err instanceof ModbusExceptionError && TROUBLE_CODES.has(err.code)) this.onTrouble(ctx.unitId, err);
    return asError(err);
  }

  /** A device-trouble exception (unitStorms.ts): after a few in a row the unit waits out a short back-off. */
  private onTrouble(unitId: number, err: ModbusExceptionError): void {
    const storm = this.storms.troubled(unitId, this.deps.clock.now());
    if (storm === undefined) return;
    const msg = `${this.deps.connectionName}: unit ${unitId} answers only with ${err.message.replace(/^.*: /, '')}; backing off ${storm.delayMs} ms`;
    this.deps.logger[storm.first ? 'warn' : 'debug'](msg);
  }

  /** After too many timeouts in a row on every unit, the connection itself is suspect: reopen it. */
  private onSilence(): void {
    const limit = this.opts.reopenAfterTimeouts;
    if (limit === undefined || ++this.silentInARow < limit) return;
    this.silentInARow = 0;
    this.deps.logger.warn(`${this.deps.connectionName}: no answer to ${limit} requests in a row; reopening the connection (${this.key})`);
    const link = this.link;
    if (link) link.close().catch(() => undefined);
  }

  /** Closes the link, enters back-off, fails everything queued; returns the caller's error. */
  private onConnectionLost(ctx: ModbusContext, err: unknown, what: string): Error {
    const failures = (this.down?.failures ?? -1) + 1;
    const delay = backoffDelay(failures, this.opts.reconnectBaseMs, this.opts.reconnectMaxMs, this.deps.random);
    this.down = { failures, retryAt: this.deps.clock.now() + delay };
    const reason = err instanceof Error ? err.message : String(err);
    // Warn on the transition to down only; repeated failed attempts are debug noise.
    if (failures === 0) this.deps.logger.warn(`${this.deps.connectionName}: ${what} (${reason}); retrying in ${delay} ms`);
    else this.deps.logger.debug(`${this.deps.connectionName}: ${what} again (${reason}); attempt ${failures + 1} in ${delay} ms`);
    const link = this.link;
    if (link) link.close().catch(() => undefined);
    this.rejectQueued(() => `connection down, retry in ${delay} ms`);
    return new ModbusConnectionError(`${what}, retry in ${delay} ms`, ctx, { cause: err });
  }

  private onUnitTimeout(unitId: number, err: Error): void {
    const now = this.deps.clock.now();
    this.sleep.silent(unitId, now);
    // one lost or damaged frame on a noisy line is not a dead unit: a unit that answered its last
    // request is backed off only from its second timeout in a row
    if (this.answeredLast.delete(unitId)) return;
    const failures = (this.units.get(unitId)?.failures ?? 0) + 1;
    const probeMs = this.sleep.probeEveryMs(unitId, now);
    // asleep: probed on the sleep schedule (jittered a little so two sleeping units do not collide)
    const delay = probeMs !== undefined ? Math.round(probeMs * (0.9 + 0.1 * this.deps.random()))
      : backoffDelay(failures - 1, this.opts.unitBackoffBaseMs, this.opts.unitBackoffMaxMs, this.deps.random);
    this.units.set(unitId, { failures, retryAt: now + delay });
    if (probeMs !== undefined && !this.sleepers.has(unitId)) {
      this.sleepers.add(unitId);
      const minutes = Math.round(this.sleep.asleepAfterMs / 60_000);
      this.deps.logger.info(`${this.deps.connectionName}: unit ${unitId} silent for ${minutes} min: taken as asleep, probed every ${Math.round(probeMs / 1000)} s`);
      return;
    }
    const msg = `${this.deps.connectionName}: unit ${unitId} not responding (${err.message}); backing off ${delay} ms`;
    this.deps.logger[failures === 1 ? 'warn' : 'debug'](msg);
  }

  private onUnitAnswered(unitId: number): void {
    this.answeredLast.add(unitId);
    const woke = this.sleep.answered(unitId, this.deps.clock.now());
    this.sleepers.delete(unitId);
    if (!this.units.delete(unitId)) return;
    this.deps.logger.info(`${this.deps.connectionName}: unit ${unitId} ${woke ? 'woke up: responding again' : 'responding again'}`);
  }

  private rejectQueued(reason: () => string): void {
    for (const job of this.queue.splice(0)) job.reject(new ModbusConnectionError(reason(), job.ctx, { notSent: true }));
  }

  /** A cancellable sleep on the injected clock (stop() wakes it so no timer outlives the bus). */
  private async wait(ms: number): Promise<void> {
    await new Promise<void>((wake) => {
      const handle = this.deps.clock.setTimer(() => {
        this.waitTimer = undefined;
        wake();
      }, ms);
      this.waitTimer = { handle, wake };
    });
  }

  private cancelWait(): void {
    if (!this.waitTimer) return;
    this.deps.clock.clearTimer(this.waitTimer.handle);
    this.waitTimer.wake();
    this.waitTimer = undefined;
  }
}

/** A Bus for one physical bus; nothing connects until the first request. */
export function createBus(deps: BusDeps): Bus {
  return new QueuedBus(deps);
}

