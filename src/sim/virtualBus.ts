/**
 * A Bus for simulated time: requests go straight to simulated devices and the modelled bus time
 * (DESIGN.md cost model: baud, frame sizes, turnaround) is charged to the virtual clock instead of
 * being slept. One request is in flight at a time, as on a real bus, so a simulated week of polling
 * costs seconds of CPU while the poller sees realistic durations and contention.
 */
import { sleep, type Clock } from '../core/clock.js';
import { ModbusExceptionError, ModbusTimeoutError } from '../core/errors.js';
import { readBusTimeMs, type BusTiming } from '../modbus/costModel.js';
import type { Bus, BusCounters, ReadReply, ReadRequest, WriteCoilRequest, WriteRegistersRequest } from '../modbus/transport.js';
import type { SimDevice } from './simDevice.js';
import { simOutcome } from './simOutcome.js';

export interface VirtualBusOptions {
  key: string;
  clock: Clock;
  devices: readonly SimDevice[];
  /** Line timing; each device's own turnaround replaces `turnaroundMs`. */
  timing: Omit<BusTiming, 'turnaroundMs'>;
  /** How long a request to a silent device waits before it times out (ms); default 1000. */
  timeoutMs?: number;
  /** Recorded for tests and metrics. */
  onRequest?: (req: ReadRequest, at: number, exception: number | undefined) => void;
}

export class VirtualBus implements Bus {
  readonly key: string;
  private readonly units: Map<number, SimDevice>;
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private readonly stats: BusCounters = { requests: 0, errors: 0, timeouts: 0, busyRetries: 0, reconnects: 0, busyMs: 0 };

  constructor(private readonly options: VirtualBusOptions) {
    this.key = options.key;
    this.units = new Map(options.devices.map((d) => [d.spec.unitId, d]));
  }

  read(req: ReadRequest): Promise<ReadReply> {
    return this.enqueue(async () => {
      const device = this.units.get(req.unitId);
      const turnaroundMs = device?.spec.turnaroundMs ?? 0;
      const cost = readBusTimeMs(req.fn, req.count, { ...this.options.timing, turnaroundMs });
      const result = device ? device.read(req.fn, req.address, req.count, this.options.clock.now()) : { exception: 11 };
      this.options.onRequest?.({ unitId: req.unitId, fn: req.fn, address: req.address, count: req.count }, this.options.clock.now(), 'exception' in result ? result.exception : undefined);
      const outcome = simOutcome(result, cost, this.options.timeoutMs ?? 1000, { connection: this.key, ...req });
      await sleep(this.options.clock, outcome.waitMs);
      this.stats.requests++;
      this.stats.busyMs += outcome.waitMs;
      if ('error' in outcome) {
        this.stats.errors++;
        if (outcome.error instanceof ModbusTimeoutError) this.stats.timeouts++;
        throw outcome.error;
      }
      return { data: outcome.data, durationMs: outcome.waitMs };
    });
  }

  writeRegisters(req: WriteRegistersRequest): Promise<void> {
    return this.enqueue(async () => this.write('holding', req.unitId, req.address, req.values));
  }

  writeCoil(req: WriteCoilRequest): Promise<void> {
    return this.enqueue(async () => this.write('coil', req.unitId, req.address, [req.value ? 1 : 0]));
  }

  pending(): number {
    return this.queued;
  }

  counters(): BusCounters {
    return { ...this.stats };
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.tail.catch(() => undefined);
  }

  private write(type: 'holding' | 'coil', unitId: number, address: number, values: number[]): void {
    const result = this.units.get(unitId)?.write(type, address, values) ?? { exception: 11 };
    if ('exception' in result) {
      throw new ModbusExceptionError(result.exception, { connection: this.key, unitId, fn: type === 'coil' ? 5 : 16, address, count: values.length });
    }
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    this.queued++;
    const run = this.tail.then(work, work).finally(() => this.queued--);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
