/**
 * The one place that talks to modbus-serial. A Link wraps one client for one connection definition
 * (Modbus TCP, RTU frames over a TCP gateway, or RTU on a serial port) and turns its callback-era
 * quirks into the Link contract: typed errors with context, a request that is failed at once when
 * the port closes under it (modbus-serial would leave it waiting for its timeout, or forever after
 * `destroy`), and a close that always finishes. Scheduling, retries and back-off belong to the Bus.
 */
import ModbusRTU from 'modbus-serial';
import { ModbusConnectionError, ModbusReplyError, type ModbusContext } from '../core/errors.js';
import { connectionContext, toModbusError } from './linkErrors.js';
import { MbapSplitter } from './server/mbap.js';
import type { Link, ReadRequest, WriteCoilRequest, WriteRegistersRequest } from './transport.js';
import { isBitFunction, type ConnectionDef } from './types.js';

type Client = InstanceType<typeof ModbusRTU.default>;

interface InFlight {
  ctx: ModbusContext;
  fail: (err: Error) => void;
}

/** Opens the transport the connection asks for. */
function openClient(client: Client, conn: ConnectionDef): Promise<void> {
  switch (conn.type) {
    case 'tcp':
      return client.connectTCP(conn.host, { port: conn.port });
    case 'rtuovertcp':
      // Not connectTcpRTUBuffered: in modbus-serial 8 that port wraps every frame in an MBAP header
      // (it is Modbus TCP), so a real RTU-over-TCP gateway never answers. The telnet port sends
      // and parses raw RTU frames with CRC over the socket, which is what such gateways speak.
      return client.connectTelnet(conn.host, { port: conn.port });
    case 'serial':
      return client.connectRTUBuffered(conn.serialPort, {
        baudRate: conn.baudrate,
        parity: conn.parity,
        dataBits: conn.dataBits,
        stopBits: conn.stopBits,
      });
  }
}

/**
 * modbus-serial's TCP ports only relay a socket close when no socket error came first, so after a
 * reset (a killed peer) the request in flight would sit out its whole timeout. Watch the socket the
 * port wraps (`_port._client`, duck-typed; absent → we simply fall back to the timeout).
 */
function watchUnderlyingClose(client: Client, onClose: () => void): void {
  const port = (client as unknown as { _port?: { _client?: unknown } })._port;
  const inner = port?._client as { once?: unknown } | undefined;
  if (inner && typeof inner.once === 'function') (inner as NodeJS.EventEmitter).once('close', onClose);
}

/**
 * modbus-serial's Modbus TCP port takes any frame whose length adds up: it never checks the MBAP
 * protocol id, so a frame that is not Modbus at all can be read as registers. Watch the raw stream
 * (`_port._client`, duck-typed like the close above) and report the first header that is not Modbus.
 */
function watchUnderlyingFrames(client: Client, onFault: (reason: string) => void): void {
  const port = (client as unknown as { _port?: { _client?: unknown } })._port;
  const inner = port?._client as { on?: unknown } | undefined;
  if (!inner || typeof inner.on !== 'function') return;
  const frames = new MbapSplitter(); // the server side's splitter: the same header rules either way
  let faulted = false;
  (inner as NodeJS.EventEmitter).on('data', (chunk: Buffer) => {
    if (faulted) return;
    try {
      frames.push(chunk);
    } catch (err) {
      faulted = true;
      onFault(err instanceof Error ? err.message : String(err));
    }
  });
}

/** Bytes modbus-serial's TCP port holds that no reply has claimed (a desynchronised stream), duck-typed. */
function unclaimedBytes(client: Client): number {
  const port = (client as unknown as { _port?: { _clientRcvData?: { length?: unknown } } })._port;
  const n = port?._clientRcvData?.length;
  return typeof n === 'number' ? n : 0;
}

/** Closes a client without ever hanging: TCP ports are destroyed (their `close` only calls back
 * when the socket was still open); serial ports are closed (they have no destroy). */
function disposeClient(client: Client, conn: ConnectionDef): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => resolve();
    try {
      if (conn.type === 'serial') client.close(done);
      else client.destroy(done);
    } catch {
      resolve();
    }
  });
}

class ModbusSerialLink implements Link {
  private client: Client | undefined;
  private inFlight: InFlight | undefined;
  /** Why the stream cannot be trusted any more (a frame that is not Modbus); the link reconnects. */
  private streamFault: string | undefined;

  constructor(private readonly conn: ConnectionDef) {}

  isOpen(): boolean {
    return this.client?.isOpen === true;
  }

  async connect(): Promise<void> {
    if (this.isOpen()) return;
    await this.discard();
    const client = new ModbusRTU.default();
    // Set before connecting: modbus-serial also uses it as the TCP connect timeout.
    client.setTimeout(this.conn.timeoutMs);
    client.on('error', (err: unknown) => this.onPortEvent(client, err));
    client.on('close', () => this.onPortEvent(client, undefined));
    this.client = client;
    try {
      await openClient(client, this.conn);
      this.streamFault = undefined;
      watchUnderlyingClose(client, () => this.onPortEvent(client, undefined));
      if (this.conn.type === 'tcp') watchUnderlyingFrames(client, (reason) => { this.streamFault ??= reason; });
    } catch (err) {
      await this.discard();
      const ctx = connectionContext(this.conn.name);
      throw toModbusError(err, ctx, { portOpen: false, timeoutMs: this.conn.timeoutMs });
    }
  }

  async read(req: ReadRequest): Promise<number[]> {
    const ctx = this.contextOf(req.unitId, req.fn, req.address, req.count);
    if (isBitFunction(req.fn)) {
      const call = req.fn === 1 ? 'readCoils' : 'readDiscreteInputs';
      const reply = await this.exchange(ctx, (c) => c[call](req.address, req.count));
      return this.checkLength(reply.data.slice(0, req.count).map((b) => (b ? 1 : 0)), ctx);
    }
    const call = req.fn === 3 ? 'readHoldingRegisters' : 'readInputRegisters';
    const reply = await this.exchange(ctx, (c) => c[call](req.address, req.count));
    // registers come exactly as many as asked; a byte count that says otherwise is a bad reply, not data
    return this.checkLength(reply.data, ctx);
  }

  async writeRegisters(req: WriteRegistersRequest): Promise<void> {
    const single = req.single === true && req.values.length === 1;
    const ctx = this.contextOf(req.unitId, single ? 6 : 16, req.address, req.values.length);
    if (single) await this.exchange(ctx, (c) => c.writeRegister(req.address, req.values[0] ?? 0));
    else await this.exchange(ctx, (c) => c.writeRegisters(req.address, req.values));
  }

  async writeCoil(req: WriteCoilRequest): Promise<void> {
    const ctx = this.contextOf(req.unitId, 5, req.address, 1);
    await this.exchange(ctx, (c) => c.writeCoil(req.address, req.value));
  }

  async close(): Promise<void> {
    this.failInFlight('link closed');
    await this.discard();
  }

  private contextOf(unitId: number, fn: number, address: number, count: number): ModbusContext {
    return { connection: this.conn.name, unitId, fn, address, count };
  }

  private checkLength(data: number[], ctx: ModbusContext): number[] {
    if (data.length !== ctx.count) {
      throw new ModbusReplyError(`reply has ${data.length} values, expected ${ctx.count}`, ctx);
    }
    return data;
  }

  /** Runs one modbus-serial call; settles exactly once, early if the port closes or errors. */
  private exchange<T>(ctx: ModbusContext, call: (c: Client) => Promise<T>): Promise<T> {
    const client = this.client;
    if (!client?.isOpen) return Promise.reject(new ModbusConnectionError('port not open', ctx));
    if (this.inFlight) return Promise.reject(new Error('Link used concurrently: the Bus must serialise requests'));
    client.setID(ctx.unitId);
    const timeoutMs = this.conn.unitLimits?.get(ctx.unitId)?.timeoutMs ?? this.conn.timeoutMs;
    client.setTimeout(timeoutMs); // read per request by modbus-serial: a slow unit waits longer than its neighbours
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (act: () => void): void => {
        if (settled) return;
        settled = true;
        if (this.inFlight === entry) this.inFlight = undefined;
        act();
      };
      const entry: InFlight = { ctx, fail: (err) => settle(() => reject(err)) };
      this.inFlight = entry;
      call(client).then(
        (value) => {
          const fault = this.streamFault;
          if (fault === undefined) return settle(() => resolve(value));
          settle(() => reject(new ModbusReplyError(`malformed reply (${fault}); reconnecting to resynchronise`, ctx)));
          void this.discard();
        },
        (err: unknown) => {
          const opts = { portOpen: client.isOpen, timeoutMs };
          const error = toModbusError(err, ctx, opts);
          settle(() => reject(error));
          // a reply that did not parse, or one that never came while bytes sit unclaimed: the stream
          // is out of step, and only a new connection puts the next reply back in front of its request
          if (this.conn.type !== 'serial' && (error instanceof ModbusReplyError || this.streamFault !== undefined || unclaimedBytes(client) > 0)) void this.discard();
        },
      );
    });
  }

  /** A close or port error on the current client fails the request waiting on it. */
  private onPortEvent(client: Client, err: unknown): void {
    if (client !== this.client || !this.inFlight) return;
    const { ctx, fail } = this.inFlight;
    if (err === undefined) fail(new ModbusConnectionError('connection closed by peer', ctx));
    else fail(toModbusError(err, ctx, { portOpen: false, timeoutMs: this.conn.timeoutMs }));
  }

  private failInFlight(reason: string): void {
    if (this.inFlight) this.inFlight.fail(new ModbusConnectionError(reason, this.inFlight.ctx));
  }

  private async discard(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await disposeClient(client, this.conn);
  }
}

/** A Link over modbus-serial for one connection definition. Nothing opens until `connect()`. */
export function createModbusSerialLink(conn: ConnectionDef): Link {
  return new ModbusSerialLink(conn);
}
