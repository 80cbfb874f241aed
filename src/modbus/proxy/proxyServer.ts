/**
 * The caching Modbus TCP server other masters (Home Assistant's modbus integration, evcc, Node-RED)
 * read the device through, whatever the upstream is (TCP, RTU over TCP, serial). A read whose every
 * register was read within `max_age` is answered from the cache without touching the bus; otherwise
 * it goes through the same one-in-flight bus queue as the app's own polling, and the device's answer
 * (values or its exception, e.g. 2 for an illegal address) goes back with the client's transaction
 * id. Writes (functions 5, 6, 15, 16) pass through only when the proxy is not read-only and every
 * register is writable by permission; each is audited with the client's address. Clients outside the
 * allow list are refused at connect; a malformed frame closes that client's connection only; there
 * are limits on connections in total and per client, and idle connections are closed.
 */
import net from 'node:net';
import type { Clock } from '../../core/clock.js';
import { describeError, ModbusExceptionError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import {
  exceptionResponse, GATEWAY_TARGET_FAILED, ILLEGAL_FUNCTION, parseRequest, readResponse, writeResponse, type ModbusRequest,
} from '../server/pdu.js';
import { listenTcp, serveRequests, type TcpListener } from '../server/requestStream.js';
import type { ProxyDef } from '../types.js';
import type { CachingBus } from './cachingBus.js';
import { ClientAllowList, normaliseClient } from './clientAccess.js';

const MAX_CONNECTIONS = 32;
const MAX_PER_CLIENT = 8;
const IDLE_MS = 120_000;

export interface ProxyCounters {
  /** Reads answered from the cache. */
  hits: number;
  /** Reads that went to the device. */
  misses: number;
  /** Misses read in the app's own poll cycle (planned with due polling, no request of their own). */
  merged: number;
  /** Misses that waited for the same read another client had in flight. */
  shared: number;
  writes: number;
  refused: number;
  clients: number;
}

export interface ProxyServerDeps {
  clock: Clock;
  logger: Logger;
  def: ProxyDef;
  bus: CachingBus;
  /** Whether a write of `count` registers (or coils) at `address` on the device's unit is permitted. */
  writable(unitId: number, table: 'holding' | 'coil', address: number, count: number): boolean;
  audit(by: string, what: string, after: unknown): void;
  /**
   * Reads this range in the app's next poll cycle, planned with what is due (the entities inside it
   * count as polled); resolves false when that read failed.
   */
  readThroughPolling?(unitId: number, fn: 1 | 2 | 3 | 4, address: number, count: number): Promise<boolean>;
  /** The device answered a read the proxy sent as asked (so none of those registers is illegal). */
  onDeviceRead?(unitId: number, fn: 1 | 2 | 3 | 4, address: number, count: number): void;
  /** Hears every client read (hit or miss), so the app can learn what other masters need fresh. */
  onClientRead?(unitId: number, fn: 1 | 2 | 3 | 4, address: number, count: number): void;
}

export class ProxyServer {
  /** `<connection>:<port>`, as the statistics name it. */
  readonly name: string;
  private listener: TcpListener | undefined;
  private readonly perClient = new Map<string, number>();
  private readonly allow: ClientAllowList;
  readonly counters: ProxyCounters = { hits: 0, misses: 0, merged: 0, shared: 0, writes: 0, refused: 0, clients: 0 };
  /** Device reads in flight by unit:fn:address:count, so clients asking the same at once share one. */
  private readonly inFlight = new Map<string, Promise<number[]>>();

  constructor(private readonly deps: ProxyServerDeps) {
    this.allow = new ClientAllowList(deps.def.allowedClients);
    this.name = `${deps.def.connection}:${deps.def.port}`;
  }

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const { def, logger } = this.deps;
    this.listener = await listenTcp(def.port, def.bind, (socket) => this.accept(socket));
    logger.info(`Modbus proxy for ${def.connection} on ${def.bind}:${this.listener.port} (max_age ${def.maxAgeMs / 1000} s, ${def.readOnly ? 'read-only' : 'writes by permission'}, clients ${def.allowedClients.join(', ')})`);
    return this.listener.port;
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }

  private accept(socket: net.Socket): void {
    const client = normaliseClient(socket.remoteAddress ?? '');
    const count = this.perClient.get(client) ?? 0;
    const allowed = this.allow.allows(client);
    if (!allowed || this.counters.clients >= MAX_CONNECTIONS || count >= MAX_PER_CLIENT) {
      this.counters.refused++;
      this.deps.logger.warn(`Modbus proxy ${this.deps.def.connection}: refused ${client} (${allowed ? 'too many connections' : 'not in allowed_clients'})`);
      socket.destroy();
      return;
    }
    this.perClient.set(client, count + 1);
    this.counters.clients++;
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    socket.on('close', () => {
      const n = (this.perClient.get(client) ?? 1) - 1;
      if (n > 0) this.perClient.set(client, n); else this.perClient.delete(client);
      this.counters.clients--;
    });
    serveRequests(socket, 'mbap', (r) => this.answer(client, r.unitId, r.pdu),
      (err) => this.deps.logger.warn(`Modbus proxy ${this.deps.def.connection}: closed ${client}: ${err.message}`));
  }

  private async answer(client: string, clientUnit: number, pdu: Buffer): Promise<Buffer> {
    const parsed = parseRequest(pdu);
    if (!parsed.ok) return exceptionResponse(parsed.fn, parsed.exception);
    const unitId = this.deps.def.unitMap.get(clientUnit) ?? clientUnit;
    const request = parsed.request;
    try {
      if (request.kind === 'read') return await this.read(unitId, request);
      return await this.write(client, unitId, request);
    } catch (err) {
      if (err instanceof ModbusExceptionError) return exceptionResponse(request.fn, err.code);
      this.deps.logger.debug(`Modbus proxy ${this.deps.def.connection}: ${describeError(err)}`);
      return exceptionResponse(request.fn, GATEWAY_TARGET_FAILED);
    }
  }

  private async read(unitId: number, r: Extract<ModbusRequest, { kind: 'read' }>): Promise<Buffer> {
    const { bus, def, clock } = this.deps;
    this.deps.onClientRead?.(unitId, r.fn, r.address, r.count);
    const cached = bus.cache.fresh(unitId, r.fn, r.address, r.count, clock.now() - def.maxAgeMs);
    if (cached) {
      this.counters.hits++;
      return readResponse(r.fn, cached);
    }
    this.counters.misses++;
    return readResponse(r.fn, await this.fetch(unitId, r));
  }

  /**
   * One device read per distinct range in flight; through the app's polling when every register of
   * the range has answered before. A range never read is asked as it is, so an illegal address answers
   * exactly as the device does and never becomes a hole the app's planner learns; so is one whose
   * read through polling failed.
   */
  private fetch(unitId: number, r: Extract<ModbusRequest, { kind: 'read' }>): Promise<number[]> {
    const key = `${unitId}:${r.fn}:${r.address}:${r.count}`;
    const pending = this.inFlight.get(key);
    if (pending) {
      this.counters.shared++;
      return pending;
    }
    const started = this.deps.clock.now();
    const read = (async () => {
      const { bus } = this.deps;
      const known = bus.cache.answeredBefore(unitId, r.fn, r.address, r.count);
      if (known && await this.deps.readThroughPolling?.(unitId, r.fn, r.address, r.count).catch(() => false)) {
        const polled = bus.cache.fresh(unitId, r.fn, r.address, r.count, started);
        if (polled) {
          this.counters.merged++;
          return polled;
        }
      }
      const reply = await bus.read({ unitId, fn: r.fn, address: r.address, count: r.count });
      this.deps.onDeviceRead?.(unitId, r.fn, r.address, r.count);
      return reply.data;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, read);
    return read;
  }

  private async write(client: string, unitId: number, r: Exclude<ModbusRequest, { kind: 'read' }>): Promise<Buffer> {
    const table = r.kind === 'writeCoil' || r.kind === 'writeCoils' ? 'coil' : 'holding';
    const count = r.kind === 'writeCoils' || r.kind === 'writeRegisters' ? r.values.length : 1;
    if (this.deps.def.readOnly || !this.deps.writable(unitId, table, r.address, count)) {
      this.counters.refused++;
      this.deps.logger.warn(`Modbus proxy ${this.deps.def.connection}: refused a write (fc${r.fn}) from ${client} to unit ${unitId} address ${r.address}: ${this.deps.def.readOnly ? 'the proxy is read_only' : 'not writable by permission'}`);
      return exceptionResponse(r.fn, ILLEGAL_FUNCTION);
    }
    const { bus } = this.deps;
    switch (r.kind) {
      case 'writeCoil': await bus.writeCoil({ unitId, address: r.address, value: r.value }); break;
      case 'writeCoils': for (const [i, v] of r.values.entries()) await bus.writeCoil({ unitId, address: r.address + i, value: v }); break;
      case 'writeRegister': await bus.writeRegisters({ unitId, address: r.address, values: [r.value], single: true }); break;
      case 'writeRegisters': await bus.writeRegisters({ unitId, address: r.address, values: r.values }); break;
    }
    this.counters.writes++;
    const values = r.kind === 'writeCoil' || r.kind === 'writeRegister' ? [r.value] : r.values;
    this.deps.audit(`proxy:${client}`, `fc${r.fn} write ${this.deps.def.connection} unit ${unitId} address ${r.address}`, values);
    return writeResponse(r);
  }
}
