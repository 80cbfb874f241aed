// The reliability suite's fault proxy (test/reliability/faultProxy.ts) is an instrument: the TCP fault
// rows are only as true as its counts. Here a raw socket plays the master against a pymodbus device
// behind it: pipelined requests count as two outstanding, exception replies carry the request's
// transaction, unit and function, a black hole swallows and its requests expire, offline refuses,
// half-open freezes only the connections open at the time, and turnaround holds replies back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { encodeMbap, MbapSplitter, type MbapFrame } from '../../src/modbus/server/mbap.js';
import { freePort } from '../helpers/ports.js';
import { startPymodbusServer, type PymodbusServer } from '../helpers/pymodbusServer.js';
import { startFaultProxy, type FaultProxy } from '../reliability/faultProxy.js';

interface Master {
  socket: net.Socket;
  frames: MbapFrame[];
  /** Sends fc 3 reads of holding register 0, one MBAP frame each, in one write. */
  read(...transactionIds: number[]): void;
}

async function master(port: number): Promise<Master> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const frames: MbapFrame[] = [];
  const splitter = new MbapSplitter();
  socket.on('data', (d) => frames.push(...splitter.push(d)));
  socket.on('error', () => undefined);
  const read = (...ids: number[]) => socket.write(Buffer.concat(ids.map((id) => encodeMbap(id, 1, Buffer.from([3, 0, 0, 0, 1])))));
  return { socket, frames, read };
}

async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let device: PymodbusServer;
let proxy: FaultProxy;
beforeAll(async () => {
  const port = await freePort();
  device = await startPymodbusServer({ mode: 'tcp', port, log: false, units: { 1: { holding: { 0: 77 } } } });
  proxy = await startFaultProxy(port, { expireAfterMs: 300 });
});
afterAll(async () => {
  await proxy.close();
  await device.stop();
});

describe('the fault proxy', () => {
  it('passes requests and counts two pipelined ones as two outstanding', async () => {
    const m = await master(proxy.port);
    proxy.resetMaxOutstanding();
    m.read(1, 2);
    await until(() => m.frames.length === 2);
    expect(m.frames.map((f) => [f.transactionId, [...f.pdu]])).toEqual([[1, [3, 2, 0, 77]], [2, [3, 2, 0, 77]]]);
    expect(proxy.maxOutstanding()).toBe(2);
    m.socket.destroy();
  });

  it('answers every request itself with the exception asked for, echoing transaction, unit and function', async () => {
    const m = await master(proxy.port);
    await proxy.set({ kind: 'exceptions', code: 6 });
    const before = proxy.counters();
    proxy.resetMaxOutstanding();
    m.read(0x1234);
    await until(() => m.frames.length === 1);
    expect(m.frames[0]).toMatchObject({ transactionId: 0x1234, unitId: 1 });
    expect([...(m.frames[0]?.pdu ?? [])]).toEqual([0x83, 6]);
    expect(proxy.counters().exceptions[6]).toBe((before.exceptions[6] ?? 0) + 1);
    expect(proxy.counters().forwarded).toBe(before.forwarded);
    expect(proxy.maxOutstanding()).toBe(1);
    await proxy.set({ kind: 'pass' });
    m.socket.destroy();
  });

  it('swallows requests in a black hole, and forgets them once the master has given up', async () => {
    const m = await master(proxy.port);
    await proxy.set({ kind: 'blackhole' });
    const before = proxy.counters();
    proxy.resetMaxOutstanding();
    m.read(5);
    await new Promise((r) => setTimeout(r, 400)); // past expireAfterMs
    m.read(6);
    await until(() => proxy.counters().swallowed === before.swallowed + 2);
    expect(proxy.maxOutstanding()).toBe(1); // the first had expired when the second came
    m.read(7);
    await until(() => proxy.counters().swallowed === before.swallowed + 3);
    expect(proxy.maxOutstanding()).toBe(2); // the second had not
    expect(m.frames).toEqual([]);
    await proxy.set({ kind: 'pass' });
    m.socket.destroy();
  });

  it('refuses connections while offline and serves again after', async () => {
    const m = await master(proxy.port);
    await proxy.set({ kind: 'offline' });
    await until(() => m.socket.destroyed);
    await expect(master(proxy.port)).rejects.toThrow(/ECONNREFUSED/);
    await proxy.set({ kind: 'pass' });
    const again = await master(proxy.port);
    again.read(9);
    await until(() => again.frames.length === 1);
    again.socket.destroy();
  });

  it('freezes the connections open at a half-open, with no FIN, while new ones pass', async () => {
    const old = await master(proxy.port);
    const before = proxy.counters();
    proxy.halfOpen();
    old.read(10);
    const fresh = await master(proxy.port);
    fresh.read(11);
    await until(() => fresh.frames.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(old.frames).toEqual([]);
    expect(old.socket.destroyed).toBe(false);
    expect(proxy.frozen()).toBe(1);
    expect(proxy.counters().swallowed).toBe(before.swallowed + 1);
    old.socket.destroy();
    fresh.socket.destroy();
  });

  it('holds each reply back by the turnaround', async () => {
    const m = await master(proxy.port);
    await proxy.set({ kind: 'turnaround', ms: 300 });
    const sent = performance.now();
    m.read(12);
    await until(() => m.frames.length === 1);
    expect(performance.now() - sent).toBeGreaterThanOrEqual(295);
    await proxy.set({ kind: 'pass' });
    m.socket.destroy();
  });
});
