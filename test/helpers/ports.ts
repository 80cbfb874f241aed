/**
 * Loopback plumbing for transport tests. modbus-serial's ServerTCP treats port 0 as "use 502", so
 * servers cannot be asked for an ephemeral port themselves: ask the kernel through a throwaway
 * listener. Also a loopback ConnectionDef and a small rejection helper shared by the tests.
 */
import net from 'node:net';
import type { ConnectionDef } from '../../src/modbus/types.js';

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** A connection definition for a peer on loopback; tests override what they exercise. */
export function loopbackConnection(overrides: Partial<ConnectionDef> = {}): ConnectionDef {
  return {
    name: 'test',
    type: 'tcp',
    host: '127.0.0.1',
    port: 502,
    serialPort: '',
    baudrate: 9600,
    parity: 'none',
    dataBits: 8,
    stopBits: 1,
    timeoutMs: 1_000,
    messageWaitMs: 0,
    maxRegistersPerRead: 125,
    turnaroundMs: 0,
    ...overrides,
  };
}

/** The rejection of `p` (fails the test if `p` resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}
