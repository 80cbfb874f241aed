/**
 * Starts the demo site: the demo devices behind a real Modbus TCP server on loopback, plus the
 * options that point the app at it. Used by `npm start` without an options file.
 */
import type { Clock } from '../core/clock.js';
import { DEMO_DEVICES, demoOptions } from './demoSite.js';
import { SimModbusTcpServer } from './modbusTcpServer.js';
import { SimDevice } from './simDevice.js';

export interface RunningDemo {
  port: number;
  options: Record<string, unknown>;
  devices: SimDevice[];
  stop(): Promise<void>;
}

export async function startDemo(clock: Clock, seed: number, port = 0): Promise<RunningDemo> {
  const start = clock.now();
  const devices = DEMO_DEVICES.map((spec) => new SimDevice(spec, seed, start));
  const server = new SimModbusTcpServer({ clock, devices, port });
  const bound = await server.start();
  return { port: bound, options: demoOptions(bound), devices, stop: () => server.stop() };
}
