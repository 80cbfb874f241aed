/**
 * The Bus under injected faults, over real loopback TCP: modbus-serial's ServerTCP plays a device
 * that can be told to answer busy, raise an exception, answer too late, or drop the connection.
 * Real system clock (ServerTCP stalls under fake timers); timing asserted as lower bounds only.
 * The last block drives the back-off arithmetic with a fake link and the virtual clock.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { ServerTCP } from 'modbus-serial';
import { createSystemClock } from '../../src/core/clock.js';
import { ModbusConnectionError, ModbusExceptionError, ModbusReplyError, ModbusTimeoutError, wasNotSent } from '../../src/core/errors.js';
import { createMemoryLogger } from '../../src/core/logger.js';
import { VirtualClock } from '../../src/core/virtualClock.js';
import { createBus, type BusDeps } from '../../src/modbus/bus.js';
import { createModbusSerialLink } from '../../src/modbus/link.js';
import { toModbusError } from '../../src/modbus/linkErrors.js';
import type { Bus, Link, ReadRequest } from '../../src/modbus/transport.js';
import { busKeyOf } from '../../src/modbus/types.js';
import { freePort, loopbackConnection, rejectionOf } from '../helpers/ports.js';

type Fault = { kind: 'busy' } | { kind: 'exception'; code: number } | { kind: 'late'; ms: number } | { kind: 'drop' };
interface Served { unit: number; address: number; count: number; at: number }
type Reply = (err: Error | null, values: number[]) => void;

/** ServerTCP answers an error carrying `modbusErrorCode` with that Modbus exception. */
class DeviceException extends Error {
  constructor(readonly modbusErrorCode: number) {
    super(`exception ${modbusErrorCode}`);
  }
}

/** Holding register `a` of unit `u` holds u·1000 + a. */
const valueAt = (unit: number, address: number): number => unit * 1000 + address;

interface FaultyDevice {
  port: number;
  served: Served[];
  /** Faults for the next requests, consumed in order; empty = answer normally. */
  plan: Fault[];
  replyDelayMs: number;
  maxActive: number;
  /** Destroys every client socket, as a gateway dropping idle connections does. */
  dropAll(): void;
  close(): Promise<void>;
}

async function startDevice(): Promise<FaultyDevice> {
  const port = await freePort();
  const timers = new Set<NodeJS.Timeout>();
  let active = 0;
  const later = (fn: () => void, ms: number): void => {
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
  };
  const serve = (address: number, count: number, unit: number, reply: Reply): void => {
    dev.served.push({ unit, address, count, at: performance.now() });
    dev.maxActive = Math.max(dev.maxActive, ++active);
    const fault = dev.plan.shift();
    const answer = (err: Error | null): void => {
      active--;
      reply(err, Array.from({ length: count }, (_, i) => valueAt(unit, address + i)));
    };
    if (fault?.kind === 'busy') answer(new DeviceException(6));
    else if (fault?.kind === 'exception') answer(new DeviceException(fault.code));
    else if (fault?.kind === 'late') later(() => answer(null), fault.ms);
    else if (fault?.kind === 'drop') { active--; dev.dropAll(); }
    else if (dev.replyDelayMs > 0) later(() => answer(null), dev.replyDelayMs);
    else answer(null);
  };
  const server = new ServerTCP({
    getMultipleHoldingRegisters: (addr: number, len: number, unit: number, cb: Reply) => serve(addr, len, unit, cb),
    getHoldingRegister: (addr: number, unit: number, cb: (err: Error | null, v: number) => void) =>
      serve(addr, 1, unit, (err, values) => cb(err, values[0] ?? 0)),
  }, { host: '127.0.0.1', port });
  server.on('socketError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.on('initialized', () => resolve());
    server.on('serverError', reject);
  });
  const dev: FaultyDevice = {
    port, served: [], plan: [], replyDelayMs: 0, maxActive: 0,
    dropAll: () => { for (const sock of server.socks.keys()) sock.destroy(); },
    close: () => new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.close(() => resolve());
    }),
  };
  return dev;
}

describe('Bus against a faulty ServerTCP device', () => {
  let device: FaultyDevice | undefined;
  let bus: Bus | undefined;

  afterEach(async () => {
    await bus?.stop();
    await device?.close();
    bus = undefined;
    device = undefined;
  });

  async function setup(options: Partial<BusDeps['options']> = {}, timeoutMs = 1_000): Promise<{ bus: Bus; dev: FaultyDevice; logger: ReturnType<typeof createMemoryLogger> }> {
    device = await startDevice();
    const conn = loopbackConnection({ name: 'faulty', port: device.port, timeoutMs });
    const logger = createMemoryLogger();
    bus = createBus({
      key: busKeyOf(conn), connectionName: conn.name, createLink: () => createModbusSerialLink(conn),
      clock: createSystemClock(), random: () => 0.5, logger,
      options: { messageWaitMs: 0, busyRetryDelayMs: 20, reconnectBaseMs: 100, unitBackoffBaseMs: 300, ...options },
    });
    await bus.start();
    return { bus, dev: device, logger };
  }

  it('retries busy (exception 6) and counts the retries', async () => {
    const { bus, dev } = await setup({ busyRetries: 3 });
    dev.plan.push({ kind: 'busy' }, { kind: 'busy' });
    expect((await bus.read({ unitId: 1, fn: 3, address: 10, count: 2 })).data).toEqual([1010, 1011]);
    expect(dev.served).toHaveLength(3);
    expect(dev.served[2]!.at - dev.served[1]!.at).toBeGreaterThanOrEqual(19); // busyRetryDelayMs, 1 ms clock grain
    expect(bus.counters()).toMatchObject({ requests: 3, busyRetries: 2, errors: 0 });

    dev.plan.push({ kind: 'busy' }, { kind: 'busy' }, { kind: 'busy' }, { kind: 'busy' });
    const err = await rejectionOf(bus.read({ unitId: 1, fn: 3, address: 0, count: 1 }));
    expect((err as ModbusExceptionError).code).toBe(6);
    expect(dev.served).toHaveLength(7);
    expect(bus.counters()).toMatchObject({ busyRetries: 5, errors: 1 });
  });

  it('does not retry other exceptions, and reports them with context', async () => {
    const { bus, dev } = await setup();
    dev.plan.push({ kind: 'exception', code: 2 });
    const err = await rejectionOf(bus.read({ unitId: 4, fn: 3, address: 7, count: 3 }));
    expect(err).toBeInstanceOf(ModbusExceptionError);
    expect((err as ModbusExceptionError).code).toBe(2);
    expect((err as ModbusExceptionError).context).toEqual({ connection: 'faulty', unitId: 4, fn: 3, address: 7, count: 3 });
    expect(dev.served).toHaveLength(1);
    expect((await bus.read({ unitId: 4, fn: 3, address: 7, count: 1 })).data).toEqual([4007]);
  });

  it('times out a late reply, then backs the unit off without touching the wire', async () => {
    const { bus, dev, logger } = await setup({}, 200);
    dev.plan.push({ kind: 'late', ms: 400 });
    expect(await rejectionOf(bus.read({ unitId: 1, fn: 3, address: 0, count: 2 }))).toBeInstanceOf(ModbusTimeoutError);
    const fast = await rejectionOf(bus.read({ unitId: 1, fn: 3, address: 0, count: 2 }));
    expect(fast).toBeInstanceOf(ModbusTimeoutError);
    expect((fast as Error).message).toMatch(/faulty unit 1 fc3 @0\+2: unit 1 not responding, retry in \d+ ms/);
    expect(dev.served).toHaveLength(1);
    // Other units on the same bus are unaffected, and the late reply does not leak into theirs.
    expect((await bus.read({ unitId: 2, fn: 3, address: 0, count: 2 })).data).toEqual([2000, 2001]);
    await new Promise((r) => setTimeout(r, 450)); // past the late reply and the 225 ms back-off
    expect((await bus.read({ unitId: 1, fn: 3, address: 5, count: 1 })).data).toEqual([1005]);
    expect(bus.counters()).toMatchObject({ timeouts: 1, errors: 1 });
    expect(logger.lines.filter((l) => l.startsWith('WARNING'))).toHaveLength(1);
    expect(logger.lines.some((l) => l.includes('unit 1 responding again'))).toBe(true);
  });

  it('fails fast after a dropped connection, then reconnects', async () => {
    const { bus, dev, logger } = await setup();
    expect((await bus.read({ unitId: 1, fn: 3, address: 0, count: 1 })).data).toEqual([1000]);
    dev.plan.push({ kind: 'drop' });
    expect(await rejectionOf(bus.read({ unitId: 1, fn: 3, address: 1, count: 1 }))).toBeInstanceOf(ModbusConnectionError);
    const fast = await rejectionOf(bus.read({ unitId: 1, fn: 3, address: 1, count: 1 }));
    expect((fast as Error).message).toMatch(/connection down, retry in \d+ ms/);
    expect(dev.served).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 100)); // back-off is 75 ms with random 0.5
    expect((await bus.read({ unitId: 1, fn: 3, address: 1, count: 1 })).data).toEqual([1001]);
    expect(bus.counters()).toMatchObject({ reconnects: 1, errors: 1 });
    expect(logger.lines.filter((l) => l.startsWith('WARNING'))).toHaveLength(1);
  });

  it('reconnects transparently when the device closed an idle connection', async () => {
    const { bus, dev } = await setup();
    expect((await bus.read({ unitId: 1, fn: 3, address: 0, count: 1 })).data).toEqual([1000]);
    dev.dropAll();
    await new Promise((r) => setTimeout(r, 100)); // let the FIN reach the client
    expect((await bus.read({ unitId: 1, fn: 3, address: 2, count: 1 })).data).toEqual([1002]);
    expect(bus.counters()).toMatchObject({ reconnects: 1, errors: 0 });
  });

  it('paces requests messageWaitMs apart as seen by the device', async () => {
    const { bus, dev } = await setup({ messageWaitMs: 50 });
    const reads = Array.from({ length: 5 }, (_, i) => bus.read({ unitId: 1, fn: 3, address: i, count: 1 }));
    expect((await Promise.all(reads)).map((r) => r.data[0])).toEqual([1000, 1001, 1002, 1003, 1004]);
    const gaps = dev.served.slice(1).map((s, i) => s.at - dev.served[i]!.at);
    // The pause runs from the client receiving reply n (after the device served it) to sending n+1.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(50);
  });

  it('keeps exactly one request in flight', async () => {
    const { bus, dev } = await setup();
    dev.replyDelayMs = 5;
    const reads = Array.from({ length: 10 }, (_, i) => bus.read({ unitId: 1 + (i % 3), fn: 3, address: i, count: 2 }));
    expect(bus.pending()).toBe(10);
    const replies = await Promise.all(reads);
    replies.forEach((r, i) => expect(r.data).toEqual([valueAt(1 + (i % 3), i), valueAt(1 + (i % 3), i + 1)]));
    expect(dev.served.map((s) => s.address)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(dev.maxActive).toBe(1);
    expect(bus.pending()).toBe(0);
  });

  it('rejects queued requests on stop', async () => {
    const { bus, dev } = await setup();
    dev.replyDelayMs = 30;
    const reads = Array.from({ length: 4 }, (_, i) => bus.read({ unitId: 1, fn: 3, address: i, count: 1 }));
    await new Promise((r) => setTimeout(r, 10));
    await bus.stop();
    const outcomes = await Promise.allSettled(reads);
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect(String((o as PromiseRejectedResult).reason)).toContain('bus stopped');
    }
    expect(bus.pending()).toBe(0);
    expect(await rejectionOf(bus.read({ unitId: 1, fn: 3, address: 0, count: 1 }))).toBeInstanceOf(ModbusConnectionError);
  });
});

/** A Link whose connects and replies the test scripts; it records when requests were sent. */
function scriptedLink(clock: VirtualClock, reply: (req: ReadRequest) => number[] | Error) {
  let open = false;
  const state = { connectOk: false, connects: 0, sentAt: [] as number[] };
  const ctx = { connection: 'fake', unitId: 0, fn: 0, address: 0, count: 0 };
  const link: Link = {
    connect: () => {
      state.connects++;
      open = state.connectOk;
      return open ? Promise.resolve() : Promise.reject(new ModbusConnectionError('ECONNREFUSED', ctx));
    },
    isOpen: () => open,
    read: (req) => {
      state.sentAt.push(clock.now());
      const r = reply(req);
      return r instanceof Error ? Promise.reject(r) : Promise.resolve(r);
    },
    writeRegisters: () => Promise.resolve(),
    writeCoil: () => Promise.resolve(),
    close: () => { open = false; return Promise.resolve(); },
  };
  return { link, state };
}

function virtualBus(clock: VirtualClock, link: Link, options: Partial<BusDeps['options']> = {}): Bus {
  return createBus({
    key: 'fake', connectionName: 'fake', createLink: () => link, clock, random: () => 0,
    logger: createMemoryLogger(),
    options: { messageWaitMs: 0, reconnectBaseMs: 500, reconnectMaxMs: 4_000, unitBackoffBaseMs: 1_000, unitBackoffMaxMs: 8_000, ...options },
  });
}

const retryIn = async (p: Promise<unknown>): Promise<number> =>
  Number(/retry in (\d+) ms/.exec(String(await rejectionOf(p)))?.[1]);

describe('Bus back-off and pacing on the virtual clock', () => {
  const req = (unitId: number): ReadRequest => ({ unitId, fn: 3, address: 0, count: 1 });

  it('backs reconnects off exponentially with jitter, capped, and leaves no timers after stop', async () => {
    const clock = new VirtualClock();
    const { link, state } = scriptedLink(clock, () => [1]);
    const bus = virtualBus(clock, link);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      delays.push(await retryIn(bus.read(req(1))));
      expect(await retryIn(bus.read(req(1)))).toBe(delays[i]); // fails fast, no new attempt
      await clock.advance(delays[i]!);
    }
    expect(delays).toEqual([250, 500, 1_000, 2_000, 2_000, 2_000]); // base·2^n·0.5, capped at max·0.5
    expect(state.connects).toBe(6);
    state.connectOk = true;
    expect((await bus.read(req(1))).data).toEqual([1]);
    expect(bus.counters()).toMatchObject({ errors: 6, reconnects: 0, requests: 1 });
    await bus.stop();
    expect(clock.pendingCount).toBe(0);
  });

  it('backs a silent unit off on its own and resets it on success', async () => {
    const clock = new VirtualClock();
    let unit1Dead = true;
    const { link, state } = scriptedLink(clock, (r) =>
      r.unitId === 1 && unit1Dead ? new ModbusTimeoutError('no reply', { connection: 'fake', ...r }) : [r.unitId]);
    state.connectOk = true;
    const bus = virtualBus(clock, link);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      expect(await rejectionOf(bus.read(req(1)))).toBeInstanceOf(ModbusTimeoutError);
      delays.push(await retryIn(bus.read(req(1))));
      expect((await bus.read(req(2))).data).toEqual([2]); // the rest of the bus carries on
      await clock.advance(delays[i]!);
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
    expect(state.sentAt.length).toBe(10); // 5 probes of unit 1, 5 reads of unit 2, nothing else
    unit1Dead = false;
    expect((await bus.read(req(1))).data).toEqual([1]);
    unit1Dead = true;
    const sent = state.sentAt.length;
    // it answered last: one timeout is a lost frame, the next read still goes out
    expect(await rejectionOf(bus.read(req(1)))).toBeInstanceOf(ModbusTimeoutError);
    expect(await rejectionOf(bus.read(req(1)))).toBeInstanceOf(ModbusTimeoutError);
    expect(state.sentAt.length).toBe(sent + 2);
    expect(await retryIn(bus.read(req(1)))).toBe(500); // the second in a row backs it off, from the start again
    await bus.stop();
  });

  it('takes one timeout of a unit that answered as a lost frame: a noisy line does not park the unit', async () => {
    const clock = new VirtualClock();
    let drop = false;
    const { link, state } = scriptedLink(clock, (r) => (drop ? new ModbusTimeoutError('no reply', { connection: 'fake', ...r }) : [r.unitId]));
    state.connectOk = true;
    const bus = virtualBus(clock, link);
    for (let i = 0; i < 20; i++) {
      drop = i % 3 === 1; // every third reply lost, never two in a row
      const outcome = await bus.read(req(1)).then(() => 'ok', (err: unknown) => (wasNotSent(err) ? 'refused' : 'timeout'));
      expect(outcome).toBe(drop ? 'timeout' : 'ok');
    }
    expect(state.sentAt.length).toBe(20); // nothing refused
    await bus.stop();
  });

  it('gives a unit that answers only with device trouble a short back-off, alone, until a good answer', async () => {
    const clock = new VirtualClock();
    let code: number | undefined = 4;
    const { link, state } = scriptedLink(clock, (r) =>
      (r.unitId === 1 && code !== undefined ? new ModbusExceptionError(code, { connection: 'fake', ...r }) : [r.unitId]));
    state.connectOk = true;
    const bus = virtualBus(clock, link, { busyRetries: 0 });
    for (let i = 0; i < 2; i++) expect(await rejectionOf(bus.read(req(1)))).toBeInstanceOf(ModbusExceptionError);
    expect((await bus.read(req(2))).data).toEqual([2]); // another unit's answer does not end unit 1's trouble
    expect(await rejectionOf(bus.read(req(1)))).toBeInstanceOf(ModbusExceptionError); // the third in a row
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const refused = await rejectionOf(bus.read(req(1)));
      expect(wasNotSent(refused)).toBe(true);
      delays.push(Number(/retry in (\d+) ms/.exec(String(refused))?.[1]));
      await clock.advance(delays[i]!);
      expect(await rejectionOf(bus.read(req(1)))).toBeInstanceOf(ModbusExceptionError); // the probe
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]); // base·2^n·0.5, capped at 10 s·0.5
    expect(state.sentAt.length).toBe(3 + 1 + 6); // nothing sent while backed off
    code = undefined;
    await clock.advance(5_000);
    expect((await bus.read(req(1))).data).toEqual([1]);
    expect((await bus.read(req(1))).data).toEqual([1]); // no back-off left
    code = 6; // busy: counted once its retries are spent, and the count restarts after the good answer
    for (let i = 0; i < 2; i++) await rejectionOf(bus.read(req(1)));
    expect(wasNotSent(await rejectionOf(bus.read(req(1))))).toBe(false);
    expect(wasNotSent(await rejectionOf(bus.read(req(1))))).toBe(true);
    await bus.stop();
  });

  it('never backs a unit off for exceptions about the request itself', async () => {
    const clock = new VirtualClock();
    const { link, state } = scriptedLink(clock, (r) => new ModbusExceptionError(2, { connection: 'fake', ...r }));
    state.connectOk = true;
    const bus = virtualBus(clock, link);
    for (let i = 0; i < 10; i++) expect(wasNotSent(await rejectionOf(bus.read(req(1))))).toBe(false);
    expect(state.sentAt.length).toBe(10);
    await bus.stop();
  });

  it('sends writes ahead of queued reads (behind the one in flight and earlier writes)', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    const link: Link = {
      connect: () => Promise.resolve(), isOpen: () => true, close: () => Promise.resolve(),
      read: (r) => { order.push(`r${r.address}`); return Promise.resolve([0]); },
      writeRegisters: (w) => { order.push(`w${w.address}`); return Promise.resolve(); },
      writeCoil: (w) => { order.push(`c${w.address}`); return Promise.resolve(); },
    };
    const bus = virtualBus(clock, link);
    const jobs: Array<Promise<unknown>> = [0, 1, 2].map((address) => bus.read({ unitId: 1, fn: 3, address, count: 1 }));
    jobs.push(bus.writeRegisters({ unitId: 1, address: 9, values: [1] }), bus.writeCoil({ unitId: 1, address: 8, value: true }));
    await Promise.all(jobs);
    expect(order).toEqual(['r0', 'w9', 'c8', 'r1', 'r2']);
    await bus.stop();
  });

  it('waits messageWaitMs on the injected clock between requests', async () => {
    const clock = new VirtualClock();
    const { link, state } = scriptedLink(clock, () => [0]);
    state.connectOk = true;
    const bus = virtualBus(clock, link, { messageWaitMs: 100 });
    const both = Promise.all([bus.read(req(1)), bus.read(req(2)), bus.read(req(3))]);
    await clock.advance(250);
    await both;
    const t0 = state.sentAt[0]!;
    expect(state.sentAt.map((t) => t - t0)).toEqual([0, 100, 200]);
    await bus.stop();
    expect(clock.pendingCount).toBe(0);
  });
});

describe('per-unit pacing declared by a device (issue 14)', () => {
  const req = (unitId: number): ReadRequest => ({ unitId, fn: 3, address: 0, count: 1 });

  it('waits a unit\'s own pause before its requests and the connect pause before the first', async () => {
    const clock = new VirtualClock();
    const { link, state } = scriptedLink(clock, () => [0]);
    state.connectOk = true;
    const bus = virtualBus(clock, link, { messageWaitMs: 10, unitPauseMs: new Map([[2, 50]]), connectPauseMs: 1000 });
    const start = clock.now();
    const all = Promise.all([bus.read(req(1)), bus.read(req(2)), bus.read(req(1)), bus.read(req(2)), bus.read(req(2))]);
    await clock.advance(2000);
    await all;
    // first after the connect pause; unit 2 waits its 50 ms, unit 1 the bus's 10
    expect(state.sentAt.map((t) => t - start)).toEqual([1000, 1050, 1060, 1110, 1160]);
    await bus.stop();
    expect(clock.pendingCount).toBe(0);
  });
});

describe('a unit that sleeps at night (issue 14, item 7)', () => {
  const HOUR = 3_600_000;

  it('is probed sparsely once asleep, often near the time it woke before, and is back within one probe of waking', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 5, 1, 20)); // 20:00 UTC
    let asleep = true;
    const wire: number[] = [];
    const { link, state } = scriptedLink(clock, (r) => {
      wire.push(clock.now());
      return asleep ? new ModbusTimeoutError('no reply', { connection: 'fake', ...r }) : [1];
    });
    state.connectOk = true;
    const logger = createMemoryLogger();
    const bus = createBus({
      key: 'fake', connectionName: 'fake', createLink: () => link, clock, random: () => 0, logger,
      options: { messageWaitMs: 0, unitBackoffBaseMs: 1_000, unitBackoffMaxMs: 60_000 },
    });
    /** The poller's view: a read of the unit every 5 s; returns when the first read succeeds after `wakeAt`. */
    const pollUntil = async (until: number, wakeAt?: number): Promise<number | undefined> => {
      while (clock.now() < until) {
        if (wakeAt !== undefined && clock.now() >= wakeAt) asleep = false;
        const ok = await bus.read({ unitId: 1, fn: 3, address: 0, count: 1 }).then(() => true, () => false);
        if (ok && wakeAt !== undefined) return clock.now() - wakeAt;
        await clock.advance(5_000);
      }
      return undefined;
    };
    const nightStart = clock.now();
    const firstWake = nightStart + 10 * HOUR; // 06:00
    const backAfter = await pollUntil(firstWake + HOUR, firstWake);
    const night = wire.filter((t) => t < firstWake).length;
    // 10 h of silence: the back-off's probes in the first 10 min (up to 30 s apart with this jitter), then
    // one per 4.5–5 min — where the back-off alone would probe every 30–60 s (600+)
    expect(night).toBeLessThan(30 + (10 * 60) / 4.5);
    expect(night).toBeGreaterThan(100 / 2);
    expect(backAfter).toBeLessThanOrEqual(5 * 60_000); // one sleeping probe
    expect(logger.lines.some((l) => /unit 1 silent for 10 min: taken as asleep, probed every 300 s/.test(l))).toBe(true);
    expect(logger.lines.some((l) => /unit 1 woke up: responding again/.test(l))).toBe(true);
    // the next night: near 06:00 it is probed every 30 s, so it is back within about half a minute
    await clock.advance(12 * HOUR);
    asleep = true;
    const secondWake = firstWake + 24 * HOUR + 3 * 60_000; // 06:03 the next day
    await pollUntil(secondWake);
    const back = await pollUntil(secondWake + HOUR, secondWake);
    expect(back).toBeLessThanOrEqual(30_000);
    await bus.stop();
  });
});

describe('a half-open connection (issue 16, item 5)', () => {
  it('is reopened after three timeouts in a row with no answer between, and the bus carries on', async () => {
    const clock = new VirtualClock();
    let generation = 0;
    let deadGeneration = -1;
    let open = false;
    const link: Link = {
      connect: () => { generation++; open = true; return Promise.resolve(); },
      isOpen: () => open,
      read: (r) => (generation === deadGeneration
        ? Promise.reject(new ModbusTimeoutError('no reply', { connection: 'fake', ...r })) : Promise.resolve([generation])),
      writeRegisters: () => Promise.resolve(), writeCoil: () => Promise.resolve(),
      close: () => { open = false; return Promise.resolve(); },
    };
    const logger = createMemoryLogger();
    const bus = createBus({
      key: 'fake', connectionName: 'fake', createLink: () => link, clock, random: () => 0, logger,
      options: { messageWaitMs: 0, unitBackoffBaseMs: 100, reopenAfterTimeouts: 3 },
    });
    expect((await bus.read({ unitId: 1, fn: 3, address: 0, count: 1 })).data).toEqual([1]);
    deadGeneration = generation; // the peer vanished: the socket stays "open" and swallows everything
    const seen: unknown[] = [];
    for (let i = 0; i < 20 && seen.at(-1) !== 2; i++) {
      seen.push(await bus.read({ unitId: 1 + (i % 2), fn: 3, address: 0, count: 1 }).then((r) => r.data[0], (e: Error) => e.constructor.name));
      await clock.advance(1000);
    }
    expect(seen.at(-1)).toBe(2); // a new connection answered
    expect(seen.filter((x) => x === 'ModbusTimeoutError').length).toBe(3);
    expect(logger.lines.some((l) => /no answer to 3 requests in a row; reopening the connection/.test(l))).toBe(true);
    await bus.stop();
  });
});

describe('classification of modbus-serial errors', () => {
  const ctx = { connection: 'c', unitId: 1, fn: 3, address: 0, count: 1 };
  // modbus-serial's own error "classes" are plain objects, not Error instances.
  const raw = (fields: Record<string, unknown>): object => ({ ...fields });
  it.each([
    ['exception reply', raw({ message: 'Modbus exception 6', modbusCode: 6 }), true, ModbusExceptionError],
    ['timeout, port open', raw({ name: 'TransactionTimedOutError', message: 'Timed out', errno: 'ETIMEDOUT' }), true, ModbusTimeoutError],
    ['timeout, port closed', raw({ name: 'TransactionTimedOutError', message: 'Timed out', errno: 'ETIMEDOUT' }), false, ModbusConnectionError],
    ['port not open', raw({ name: 'PortNotOpenError', message: 'Port Not Open', errno: 'ECONNREFUSED' }), false, ModbusConnectionError],
    ['socket reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true, ModbusConnectionError],
    ['bad CRC', new Error('CRC error'), true, ModbusReplyError],
    ['bad length', new Error('Data length error, expected 9 got 7'), true, ModbusReplyError],
    ['bad unit id (errno lies)', raw({ name: 'BadAddressError', message: 'Bad Client Address', errno: 'ECONNREFUSED' }), true, ModbusReplyError],
  ])('%s', (_name, err, portOpen, type) => {
    const mapped = toModbusError(err, ctx, { portOpen, timeoutMs: 100 });
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.context).toBe(ctx);
    expect(mapped.cause).toBe(err);
  });
});
