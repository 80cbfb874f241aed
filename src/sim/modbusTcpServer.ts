/**
 * A real Modbus server on loopback that serves simulated devices by unit id: function codes 1–6 and
 * 16, exception replies, and each device's turnaround delay (through the injected clock). It speaks
 * Modbus TCP (MBAP framing) or, like an RTU-over-TCP gateway, raw RTU frames with CRC over the
 * socket; with a line baud rate it also takes the modelled RS-485 time of each request, so a real-time
 * demo behaves like the slow bus it simulates. The demo and end-to-end tests poll it exactly as they
 * would poll a gateway.
 */
import net from 'node:net';
import { sleep, type Clock } from '../core/clock.js';
import { readBusTimeMs } from '../modbus/costModel.js';
import { protocolLimitOf } from '../modbus/readPlan.js';
import type { ReadFunction } from '../modbus/types.js';
import { crc16, rtuFrameLength } from './rtuFrames.js';
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

const GATEWAY_TARGET_FAILED = 11;
const ILLEGAL_FUNCTION = 1;
const ILLEGAL_VALUE = 3;

export class SimModbusTcpServer {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly units: Map<number, SimDevice>;

  constructor(private readonly options: SimServerOptions) {
    this.units = new Map(options.devices.map((d) => [d.spec.unitId, d]));
  }

  /** Starts listening; resolves with the bound port. */
  async start(): Promise<number> {
    const server = net.createServer((socket) => this.serve(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    let chain = Promise.resolve();
    const rtu = this.options.framing === 'rtu';
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const length = rtu ? rtuFrameLength(buffer) : buffer.length >= 7 ? 6 + buffer.readUInt16BE(4) : undefined;
        if (length === undefined || buffer.length < length) break;
        const frame = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (rtu && crc16(frame.subarray(0, length - 2)) !== frame.readUInt16LE(length - 2)) continue; // a gateway drops bad frames
        const [unitId, pdu] = rtu ? [frame.readUInt8(0), frame.subarray(1, length - 2)] : [frame.readUInt8(6), frame.subarray(7)];
        chain = chain.then(() => this.answer(socket, unitId, pdu, (body) => (rtu ? rtuReply(unitId, body) : mbapReply(frame, unitId, body))));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async answer(socket: net.Socket, unitId: number, pdu: Buffer, frameOf: (body: Buffer) => Buffer): Promise<void> {
    const fn = pdu.readUInt8(0);
    const device = this.units.get(unitId);
    const address = pdu.length >= 3 ? pdu.readUInt16BE(1) : 0;
    const count = fn >= 1 && fn <= 4 && pdu.length >= 5 ? pdu.readUInt16BE(3) : fn === 16 && pdu.length >= 5 ? pdu.readUInt16BE(3) : 1;
    const result: SimReadResult = device ? this.execute(device, fn, pdu) : { exception: GATEWAY_TARGET_FAILED };
    this.options.onRequest?.({ unitId, fn, address, count, exception: 'exception' in result ? result.exception : undefined });
    const delay = this.replyDelayMs(device, fn, count);
    if (delay > 0) await sleep(this.options.clock, delay);
    if (socket.destroyed) return;
    socket.write(frameOf('exception' in result ? Buffer.from([fn | 0x80, result.exception]) : replyPdu(fn, pdu, result.data)));
  }

  /** The device's turnaround, plus the modelled line time when a baud rate is set. */
  private replyDelayMs(device: SimDevice | undefined, fn: number, count: number): number {
    const turnaroundMs = device?.spec.turnaroundMs ?? 0;
    const baudrate = this.options.lineBaudrate;
    if (baudrate === undefined || fn < 1 || fn > 4) return turnaroundMs;
    return readBusTimeMs(fn as ReadFunction, count, { baudrate, turnaroundMs, roundTripMs: 0 });
  }

  private execute(device: SimDevice, fn: number, pdu: Buffer): SimReadResult {
    if (pdu.length < 5) return { exception: ILLEGAL_VALUE };
    const address = pdu.readUInt16BE(1);
    const now = this.options.clock.now();
    if (fn >= 1 && fn <= 4) {
      const count = pdu.readUInt16BE(3);
      if (count < 1 || count > protocolLimitOf(fn as ReadFunction)) return { exception: ILLEGAL_VALUE };
      return device.read(fn as ReadFunction, address, count, now);
    }
    if (fn === 5) return device.write('coil', address, [pdu.readUInt16BE(3) === 0xff00 ? 1 : 0]);
    if (fn === 6) return device.write('holding', address, [pdu.readUInt16BE(3)]);
    if (fn === 16) {
      const count = pdu.readUInt16BE(3);
      const values = Array.from({ length: count }, (_, i) => pdu.readUInt16BE(6 + 2 * i));
      return device.write('holding', address, values);
    }
    return { exception: ILLEGAL_FUNCTION };
  }
}

function mbapReply(request: Buffer, unitId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(7);
  request.copy(header, 0, 0, 4);
  header.writeUInt16BE(body.length + 1, 4);
  header.writeUInt8(unitId, 6);
  return Buffer.concat([header, body]);
}

function rtuReply(unitId: number, body: Buffer): Buffer {
  const frame = Buffer.concat([Buffer.from([unitId]), body, Buffer.alloc(2)]);
  frame.writeUInt16LE(crc16(frame.subarray(0, frame.length - 2)), frame.length - 2);
  return frame;
}

function replyPdu(fn: number, request: Buffer, data: number[]): Buffer {
  if (fn === 1 || fn === 2) {
    const bytes = Buffer.alloc(Math.ceil(data.length / 8));
    data.forEach((bit, i) => {
      if (bit) bytes[i >> 3] = (bytes[i >> 3] ?? 0) | (1 << (i & 7));
    });
    return Buffer.concat([Buffer.from([fn, bytes.length]), bytes]);
  }
  if (fn === 3 || fn === 4) {
    const body = Buffer.alloc(2 + 2 * data.length);
    body.writeUInt8(fn, 0);
    body.writeUInt8(2 * data.length, 1);
    data.forEach((w, i) => body.writeUInt16BE(w & 0xffff, 2 + 2 * i));
    return body;
  }
  return Buffer.from(request.subarray(0, 5)); // 5, 6, 16 echo address and value/count
}
