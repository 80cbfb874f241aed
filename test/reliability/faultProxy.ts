/**
 * A Modbus TCP relay on loopback between the app and a real device whose fault can be switched while
 * the app runs: the device gone (connections refused), a gateway that accepts TCP and never answers,
 * a half-open connection (the peer vanished without FIN or RST), exception storms answered by the relay
 * itself, and a slow device (every reply held back). It splits both directions into MBAP frames with the
 * production MbapSplitter and counts what the app sent and how many requests it had outstanding at
 * once, so pile-up is measured from outside, not taken from the app's own bookkeeping.
 */
import net from 'node:net';
import { encodeMbap, MbapSplitter, type MbapFrame } from '../../src/modbus/server/mbap.js';

export type FaultMode =
  | { kind: 'pass' }
  /** The device is gone: connections are closed and new ones refused (nothing listens). */
  | { kind: 'offline' }
  /** TCP is accepted and requests are read, but nothing ever answers. */
  | { kind: 'blackhole' }
  /** Every request is answered by the relay with this Modbus exception code (same transaction, unit, fc | 0x80). */
  | { kind: 'exceptions'; code: number }
  /** Requests pass; each reply is held back this long (a slow device). */
  | { kind: 'turnaround'; ms: number };

export interface FaultCounters {
  /** Request frames the app sent, whatever the relay did with them. */
  requests: number;
  /** Requests forwarded to the device. */
  forwarded: number;
  /** Exception replies the relay sent, by code. */
  exceptions: Record<number, number>;
  /** Requests swallowed by a black hole or a frozen (half-open) connection. */
  swallowed: number;
  /** TCP connections the app opened. */
  connections: number;
}

export interface FaultProxy {
  port: number;
  mode(): FaultMode;
  /** Switches the fault; resolves once it is in force (offline: listener closed; leaving offline: listening again). */
  set(mode: FaultMode): Promise<void>;
  /** Freezes every connection open now: nothing passes either way, no FIN, no RST. New connections follow the mode. */
  halfOpen(): void;
  counters(): FaultCounters;
  /** Connections currently frozen by halfOpen() and not yet closed by the app. */
  frozen(): number;
  /** The most requests outstanding at once (sent, not answered, connection open, younger than expireAfterMs) since the last reset. */
  maxOutstanding(): number;
  resetMaxOutstanding(): void;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /**
   * A request unanswered for this long no longer counts as outstanding: the master has given up on it
   * (its timeout). Without it a black hole would count every request it swallowed. Default: never.
   */
  expireAfterMs?: number;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** performance.now() of each request the app is still waiting for, oldest first. */
  sentAt: number[];
  frozen: boolean;
}

/** Calls `onFrames` with the whole MBAP frames of each chunk; a stream that is not Modbus ends the pair. */
function framesOf(onFrames: (frames: MbapFrame[]) => void, onBad: () => void): (chunk: Buffer) => void {
  const splitter = new MbapSplitter();
  return (chunk) => {
    try {
      onFrames(splitter.push(chunk));
    } catch {
      onBad();
    }
  };
}

class Relay implements FaultProxy {
  private current: FaultMode = { kind: 'pass' };
  private readonly pairs = new Set<Pair>();
  private readonly tally: FaultCounters = { requests: 0, forwarded: 0, exceptions: {}, swallowed: 0, connections: 0 };
  private peak = 0;
  private server: net.Server | undefined;
  port = 0;

  constructor(private readonly targetPort: number, private readonly opts: FaultProxyOptions) {}

  async listen(port = 0): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  mode(): FaultMode { return this.current; }
  counters(): FaultCounters { return { ...this.tally, exceptions: { ...this.tally.exceptions } }; }
  frozen(): number { return [...this.pairs].filter((p) => p.frozen).length; }
  maxOutstanding(): number { return this.peak; }
  resetMaxOutstanding(): void { this.peak = this.outstanding(); }

  async set(mode: FaultMode): Promise<void> {
    const was = this.current;
    this.current = mode;
    if (mode.kind === 'offline' && was.kind !== 'offline') await this.stopListening();
    if (mode.kind !== 'offline' && was.kind === 'offline') await this.listen(this.port);
  }

  halfOpen(): void {
    for (const p of this.pairs) p.frozen = true;
  }

  async close(): Promise<void> {
    await this.stopListening();
  }

  private async stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const p of this.pairs) this.end(p);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.tally.connections++;
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const pair: Pair = { client, upstream, sentAt: [], frozen: false };
    this.pairs.add(pair);
    const end = () => this.end(pair);
    client.on('data', framesOf((frames) => this.onRequests(pair, frames), end));
    upstream.on('data', framesOf((frames) => this.onReplies(pair, frames), end));
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  private end(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream.destroy();
  }

  /** Requests outstanding now over every open connection (expired ones dropped first). */
  private outstanding(): number {
    const expire = this.opts.expireAfterMs;
    const now = performance.now();
    let n = 0;
    for (const p of this.pairs) {
      if (expire !== undefined) while (p.sentAt.length > 0 && now - (p.sentAt[0] ?? now) >= expire) p.sentAt.shift();
      n += p.sentAt.length;
    }
    return n;
  }

  private onRequests(pair: Pair, frames: MbapFrame[]): void {
    // every frame of the chunk counts before any is answered: two requests sent back to back are two outstanding
    for (const _ of frames) {
      this.tally.requests++;
      pair.sentAt.push(performance.now());
      this.peak = Math.max(this.peak, this.outstanding());
    }
    for (const f of frames) this.onRequest(pair, f);
  }

  private onRequest(pair: Pair, f: MbapFrame): void {
    const mode = this.current;
    if (pair.frozen || mode.kind === 'blackhole') {
      this.tally.swallowed++;
    } else if (mode.kind === 'exceptions') {
      this.tally.exceptions[mode.code] = (this.tally.exceptions[mode.code] ?? 0) + 1;
      this.deliver(pair, encodeMbap(f.transactionId, f.unitId, Buffer.from([(f.pdu[0] ?? 0) | 0x80, mode.code])));
    } else {
      this.tally.forwarded++;
      pair.upstream.write(encodeMbap(f.transactionId, f.unitId, f.pdu));
    }
  }

  private onReplies(pair: Pair, frames: MbapFrame[]): void {
    for (const f of frames) {
      if (pair.frozen) continue; // lost on the way: the app never sees it
      const bytes = encodeMbap(f.transactionId, f.unitId, f.pdu);
      const mode = this.current;
      if (mode.kind === 'turnaround') setTimeout(() => this.deliver(pair, bytes), mode.ms);
      else this.deliver(pair, bytes);
    }
  }

  /** A reply reaches the app: one request fewer outstanding on its connection. */
  private deliver(pair: Pair, bytes: Buffer): void {
    if (!this.pairs.has(pair) || pair.frozen) return;
    pair.sentAt.shift();
    pair.client.write(bytes);
  }
}

/** A fault relay on a free loopback port in front of the device at `targetPort`, passing everything until told otherwise. */
export async function startFaultProxy(targetPort: number, opts: FaultProxyOptions = {}): Promise<FaultProxy> {
  const relay = new Relay(targetPort, opts);
  await relay.listen();
  return relay;
}
