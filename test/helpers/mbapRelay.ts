/**
 * A TCP relay on loopback between a Modbus TCP master and its device that counts MBAP frames each way,
 * so a test can see how many requests the device had outstanding at once (requests sent minus replies
 * returned) without trusting the master's own bookkeeping. It is the reliability suite's fault proxy
 * (test/reliability/faultProxy.ts) left in its `pass` mode.
 */
import { startFaultProxy } from '../reliability/faultProxy.js';

export interface MbapRelay {
  port: number;
  /** Requests forwarded to the device. */
  requests(): number;
  /** The most requests outstanding at the device at any moment. */
  maxInFlight(): number;
  close(): Promise<void>;
}

export async function startMbapRelay(targetPort: number): Promise<MbapRelay> {
  const proxy = await startFaultProxy(targetPort);
  return {
    port: proxy.port, requests: () => proxy.counters().forwarded, maxInFlight: () => proxy.maxOutstanding(),
    close: () => proxy.close(),
  };
}
