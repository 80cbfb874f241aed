/**
 * A TCP relay on loopback between a Modbus TCP master and its device that counts MBAP frames each way,
 * so a test can see how many requests the device had outstanding at once (requests sent minus replies
 * returned) without trusting the master's own bookkeeping.
 */
import net from 'node:net';
import { MbapSplitter } from '../../src/modbus/server/mbap.js';

export interface MbapRelay {
  port: number;
  /** Requests forwarded to the device. */
  requests(): number;
  /** The most requests outstanding at the device at any moment. */
  maxInFlight(): number;
  close(): Promise<void>;
}

/** Calls `onFrame` once per complete MBAP frame in the byte stream (the production splitter counts them). */
function frameCounter(onFrame: () => void): (chunk: Buffer) => void {
  const frames = new MbapSplitter();
  return (chunk) => { for (let n = frames.push(chunk).length; n > 0; n--) onFrame(); };
}

export async function startMbapRelay(targetPort: number): Promise<MbapRelay> {
  let inFlight = 0;
  let max = 0;
  let sent = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const countRequest = frameCounter(() => { sent++; max = Math.max(max, ++inFlight); });
    const countReply = frameCounter(() => { inFlight--; });
    client.on('data', (d) => { countRequest(d); upstream.write(d); });
    upstream.on('data', (d) => { countReply(d); client.write(d); });
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, requests: () => sent, maxInFlight: () => max,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
