/**
 * A real Modbus server on loopback that serves simulated devices by unit id: function codes 1–6, 15
 * and 16, exception replies, and each device's turnaround delay (through the injected clock). It
 * speaks Modbus TCP (MBAP framing) or, like an RTU-over-TCP gateway, raw RTU frames with CRC over the
 * socket; with a line baud rate it also takes the modelled RS-485 time of each request, so a real-time
 * demo behaves like the slow bus it simulates. The demo and end-to-end tests poll it exactly as they
 * would poll a gateway. Framing and request checks are the production server layer's (modbus/server).
 */
import { sleep, type Clock } from '../core/clock.js';
import { readBusTimeMs } from '../modbus/costModel.js';
import {
  exceptionResponse, GATEWAY_TARGET_FAILED, parseRequest, readResponse, writeResponse, type ModbusRequest,
} from '../modbus/server/pdu.js';
import { listenTcp, serveRequests, type ReceivedRequest, type TcpListener } from '../modbus/server/requestStream.js';
import type { SimDevice, SimReadResult } from './simDevice.js';

export interface ServedRequest {
  unitId: number;
  fn: number;
  address: number;
  count: number;
  exception: number | undefined;
}

export interface SimServerOptions {
  host?: string;
  port?: number;
  clock: Clock;
  devices: readonly SimDevice[];
  onRequest?: (r: ServedRequest) => void;
  /** 'rtu': raw RTU frames with CRC (an RTU-over-TCP gateway); default 'mbap' (Modbus TCP). */
  framing?: 'mbap' | 'rtu';
  /** Baud rate of the simulated RS-485 line behind the gateway: replies wait the modelled bus time. */
  lineBaudrate?: number;
}

export class SimModbusTcpServer {
  private listener: TcpListener | undefined;
  private readonly units: Map<number, SimDevice>;

  constructor(private readonly options: SimServerOptions) {
    this.units = new Map(options.devices.map((d) => [d.spec.unitId, d]));
  }

  /** Starts listening; resolves with the bound port. */
  async start(): Promise<number> {
    this.listener = await listenTcp(this.options.port ?? 0, this.options.host ?? '127.0.0.1',
      (socket) => serveRequests(socket, this.options.framing ?? 'mbap', (r) => this.answer(r)));
    return this.listener.port;
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
  }

  private async answer({ unitId, pdu }: ReceivedRequest): Promise<Buffer | undefined> {
    const parsed = parseRequest(pdu);
    const device = this.units.get(unitId);
    let reply: Buffer | undefined;
    let served: ServedRequest;
    if (!parsed.ok) {
      reply = exceptionResponse(parsed.fn, parsed.exception);
      served = { unitId, fn: parsed.fn, address: 0, count: 0, exception: parsed.exception };
    } else {
      const { request } = parsed;
      const result: SimReadResult = device ? this.execute(device, request) : { exception: GATEWAY_TARGET_FAILED };
      const exception = 'exception' in result ? result.exception : undefined;
      served = { unitId, fn: request.fn, address: request.address, count: countOf(request), exception };
      if ('exception' in result) reply = exceptionResponse(request.fn, result.exception);
      else if ('silent' in result) reply = undefined;
      else reply = request.kind === 'read' ? readResponse(request.fn, result.data) : writeResponse(request);
    }
    this.options.onRequest?.(served);
    const delay = this.replyDelayMs(device, parsed.ok ? parsed.request : undefined);
    if (delay > 0) await sleep(this.options.clock, delay);
    return reply;
  }

  /** The device's turnaround, plus the modelled line time of a read when a baud rate is set. */
  private replyDelayMs(device: SimDevice | undefined, request: ModbusRequest | undefined): number {
    const turnaroundMs = device?.spec.turnaroundMs ?? 0;
    const baudrate = this.options.lineBaudrate;
    if (baudrate === undefined || request?.kind !== 'read') return turnaroundMs;
    return readBusTimeMs(request.fn, request.count, { baudrate, turnaroundMs, roundTripMs: 0 });
  }

  private execute(device: SimDevice, request: ModbusRequest): SimReadResult {
    switch (request.kind) {
      case 'read': return device.read(request.fn, request.address, request.count, this.options.clock.now());
      case 'writeCoil': return device.write('coil', request.address, [request.value ? 1 : 0]);
      case 'writeCoils': return device.write('coil', request.address, request.values.map((v) => (v ? 1 : 0)));
      case 'writeRegister': return device.write('holding', request.address, [request.value]);
      case 'writeRegisters': return device.write('holding', request.address, request.values);
    }
  }
}

function countOf(request: ModbusRequest): number {
  switch (request.kind) {
    case 'read': return request.count;
    case 'writeCoils':
    case 'writeRegisters': return request.values.length;
    default: return 1;
  }
}
