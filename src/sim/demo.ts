/**
 * Starts the demo site: the solar-home devices behind a real RTU-over-TCP gateway on loopback (raw
 * RTU frames, replies paced by the modelled 9,600-baud line time), plus the options that point the
 * app at it. Used by `npm start` without an options file.
 */
import type { Clock } from '../core/clock.js';
import { demoOptions, demoSite } from './demoSite.js';
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
  const site = demoSite();
  const devices = site.devices.map(({ device }) => new SimDevice(device, seed, start));
  const baudrate = site.connections[0]?.baudrate;
  const server = new SimModbusTcpServer({ clock, devices, port, framing: 'rtu', ...(baudrate ? { lineBaudrate: baudrate } : {}) });
  const bound = await server.start();
  return { port: bound, options: demoOptions(bound), devices, stop: () => server.stop() };
}
