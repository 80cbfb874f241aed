/**
 * The socket side every Modbus server here shares (the simulator's devices, the app's proxy): a TCP
 * listener that tracks its sockets and closes them on stop, and the request loop of one connection —
 * bytes split into whole requests (MBAP for Modbus TCP, or raw RTU frames with CRC as an RTU-over-TCP
 * gateway sends them), each answered in order and framed back the way it came. A stream whose header
 * is bad cannot be re-synchronised, so that connection is closed; an RTU frame with a bad CRC is
 * dropped unanswered, as a gateway drops it on the line.
 */
import net from 'node:net';
import { ModbusFrameError } from './frameError.js';
import { encodeMbap, MbapSplitter } from './mbap.js';
import { encodeRtu, RtuRequestSplitter } from './rtu.js';

export type Framing = 'mbap' | 'rtu';

/** One request received on a socket, and how to frame the reply to it. */
export interface ReceivedRequest {
  unitId: number;
  pdu: Buffer;
  frame: (reply: Buffer) => Buffer;
}

function splitterOf(framing: Framing): (chunk: Buffer) => ReceivedRequest[] {
  if (framing === 'rtu') {
    const splitter = new RtuRequestSplitter();
    return (chunk) => splitter.push(chunk).frames.map(({ unitId, pdu }) => ({ unitId, pdu, frame: (reply) => encodeRtu(unitId, reply) }));
  }
  const splitter = new MbapSplitter();
  return (chunk) => splitter.push(chunk).map(({ transactionId, unitId, pdu }) =>
    ({ unitId, pdu, frame: (reply) => encodeMbap(transactionId, unitId, reply) }));
}

/**
 * Answers every request of one connection in order; an answer of `undefined` sends nothing (a device
 * that stays silent). `onBadStream` hears why a connection was closed.
 */
export function serveRequests(socket: net.Socket, framing: Framing, answer: (r: ReceivedRequest) => Promise<Buffer | undefined>, onBadStream?: (err: ModbusFrameError) => void): void {
  socket.setNoDelay(true);
  const split = splitterOf(framing);
  let chain = Promise.resolve();
  socket.on('data', (chunk: Buffer) => {
    let received: ReceivedRequest[];
    try {
      received = split(chunk);
    } catch (err) {
      if (!(err instanceof ModbusFrameError)) throw err;
      onBadStream?.(err);
      socket.destroy();
      return;
    }
    for (const r of received) {
      chain = chain.then(async () => {
        const reply = await answer(r);
        if (reply !== undefined && !socket.destroyed) socket.write(r.frame(reply));
      });
    }
  });
  socket.on('error', () => socket.destroy());
}

export interface TcpListener {
  readonly port: number;
  /** Sockets open now. */
  readonly sockets: ReadonlySet<net.Socket>;
  /** Closes every socket and stops listening. */
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port); resolves once bound, with the port. */
export async function listenTcp(port: number, host: string, onSocket: (socket: net.Socket) => void): Promise<TcpListener> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
