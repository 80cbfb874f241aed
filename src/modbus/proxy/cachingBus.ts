/**
 * A bus that remembers what passes through it: the same one-in-flight queue, with every read reply
 * and every write recorded in the register cache. The poller and the proxy share one such bus per
 * physical line, so other masters' reads and the app's polling go through one queue and one cache.
 */
import type { Clock } from '../../core/clock.js';
import type { Bus, BusCounters, ReadReply, ReadRequest, WriteCoilRequest, WriteRegistersRequest } from '../transport.js';
import { RegisterCache } from './registerCache.js';

export class CachingBus implements Bus {
  readonly key: string;
  readonly cache = new RegisterCache();

  constructor(private readonly inner: Bus, private readonly clock: Clock) {
    this.key = inner.key;
  }

  async read(req: ReadRequest): Promise<ReadReply> {
    const reply = await this.inner.read(req);
    this.cache.recordRead(req.unitId, req.fn, req.address, reply.data, this.clock.now());
    return reply;
  }

  async writeRegisters(req: WriteRegistersRequest): Promise<void> {
    await this.inner.writeRegisters(req);
    this.cache.recordWrite(req.unitId, 'holding', req.address, req.values, this.clock.now());
  }

  async writeCoil(req: WriteCoilRequest): Promise<void> {
    await this.inner.writeCoil(req);
    this.cache.recordWrite(req.unitId, 'coil', req.address, [req.value ? 1 : 0], this.clock.now());
  }

  pending(): number { return this.inner.pending(); }
  counters(): BusCounters { return this.inner.counters(); }
  start(): Promise<void> { return this.inner.start(); }
  stop(): Promise<void> { return this.inner.stop(); }
}
