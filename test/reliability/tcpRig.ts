/**
 * The stage the TCP fault scenarios play on, seen from where Home Assistant sits: the built app as a
 * child process in MQTT mode (mqttRig.ts: Debian's mosquitto and an HA side), one pymodbus device, and per lane one connection of
 * the app that reaches the device through its own fault proxy. Each lane is a separate physical bus to
 * the app (its own queue, back-off and poll cycle), so faults on different lanes can run at the same
 * time without one measuring the other. A second Modbus master writes a counter into the device every
 * second, so every good poll is a new value HA receives; every MQTT message is stamped on arrival.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ModbusRTU from 'modbus-serial';
import { busKeyOf } from '../../src/modbus/types.js';
import type { HaSide } from '../helpers/haMqttClient.js';
import { freePort, loopbackConnection } from '../helpers/ports.js';
import { startPymodbusServer, type PymodbusServer } from '../helpers/pymodbusServer.js';
import { startFaultProxy, type FaultProxy } from './faultProxy.js';
import { startMqttRig, type MqttRig } from './mqttRig.js';

/** The connection's timeout_ms in the options: how long the app waits for an answer. */
export const TIMEOUT_MS = 1000;
/** How often the other master writes a new counter value into the device. */
export const TICK_MS = 1000;
const BASE = 'modbus_optimizer';

export interface LaneSpec {
  name: string;
  /** The poll interval of the lane's entities (scan, min and max interval alike: nothing tunes it). */
  intervalS: number;
}

export interface Lane extends LaneSpec {
  proxy: FaultProxy;
  /** The app's key of this lane's bus (get_statistics `buses[].key`). */
  busKey: string;
  counterState: string;
  deviceAvailability: string;
}

export interface BusFigures {
  cycles: number;
  overruns: number;
  transport: { requests: number; errors: number; timeouts: number; busyRetries: number; reconnects: number };
}

export interface TcpRig {
  lanes: Map<string, Lane>;
  ha: HaSide;
  /** When (performance.now()) message `i` of ha.log arrived, within 20 ms. */
  stampOf(i: number): number;
  /** Whether the app process is still running and says `online`. */
  alive(): boolean;
  /** The lane's bus figures from get_statistics over the MQTT command topic. */
  busFigures(lane: Lane): Promise<BusFigures>;
  stop(): Promise<void>;
}

function options(lanes: Lane[]): unknown {
  const entity = (l: Lane, what: string, address: number) => ({
    id: `${l.name}_${what}`, name: `${l.name} ${what}`, connection: l.name, address,
    scan_interval: l.intervalS, min_interval: l.intervalS, max_interval: l.intervalS,
  });
  return {
    connections: lanes.map((l) => ({ name: l.name, host: '127.0.0.1', port: l.proxy.port, timeout_ms: TIMEOUT_MS })),
    entities: lanes.flatMap((l) => [entity(l, 'counter', 0), entity(l, 'static', 1)]),
    // nothing retunes the intervals or adds audit reads while a fault is measured
    optimizer: { enabled: false, local_steps: false },
    ha_transport: 'mqtt',
  };
}

/** Writes n, n+1, … into holding register 0 every TICK_MS over its own connection to the device. */
async function startTicker(port: number): Promise<() => Promise<void>> {
  const client = new ModbusRTU.default();
  await client.connectTCP('127.0.0.1', { port });
  client.setID(1);
  let n = 0;
  const timer = setInterval(() => { client.writeRegister(0, ++n & 0xffff).catch(() => undefined); }, TICK_MS);
  return () => new Promise((resolve) => { clearInterval(timer); client.close(() => resolve()); });
}

/** Stamps every message of `ha.log` with its arrival time (polled every 20 ms). */
function stamper(ha: HaSide): { stampOf(i: number): number; stop(): void } {
  const stamps: number[] = [];
  const timer = setInterval(() => { while (stamps.length < ha.log.length) stamps.push(performance.now()); }, 20);
  return { stampOf: (i) => stamps[i] ?? performance.now(), stop: () => clearInterval(timer) };
}

async function busFiguresOf(rig: MqttRig, lane: Lane): Promise<BusFigures> {
  const answer = await rig.command({ command: 'get_statistics' });
  const buses = (answer.result as { buses?: Array<BusFigures & { key: string }> } | undefined)?.buses;
  const bus = buses?.find((b) => b.key === lane.busKey);
  if (!bus?.transport) throw new Error(`get_statistics has no transport counters for ${lane.busKey}`);
  return bus;
}

export async function startTcpRig(specs: LaneSpec[]): Promise<TcpRig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-reliability-'));
  const devicePort = await freePort();
  const device: PymodbusServer = await startPymodbusServer({ mode: 'tcp', port: devicePort, log: false, units: { 1: { holding: { 0: 0, 1: 1234 } } } });
  const stopTicker = await startTicker(devicePort);
  const lanes = new Map<string, Lane>();
  for (const s of specs) {
    const proxy = await startFaultProxy(devicePort, { expireAfterMs: TIMEOUT_MS });
    lanes.set(s.name, {
      ...s, proxy, busKey: busKeyOf(loopbackConnection({ port: proxy.port })),
      counterState: `${BASE}/entity/${s.name}_counter/state`, deviceAvailability: `${BASE}/device/${s.name}_unit_1/availability`,
    });
  }
  const file = path.join(dir, 'options.json');
  await writeFile(file, JSON.stringify(options([...lanes.values()])));
  const stopDevice = () => Promise.all([stopTicker(), device.stop(), ...[...lanes.values()].map((l) => l.proxy.close())]);
  let rig: MqttRig;
  try {
    rig = await startMqttRig({ OPTIONS_FILE: file, DATA_DIR: dir });
  } catch (err) {
    await stopDevice();
    throw err;
  }
  const stamps = stamper(rig.ha);
  const stop = async () => {
    stamps.stop();
    await rig.stop();
    await stopDevice();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await rig.ha.waitFor(() => [...lanes.values()].every((l) => rig.ha.latest.has(l.counterState)) || undefined, 'every lane polled', 30_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}; app said:\n${rig.app.output().slice(-2000)}`, { cause: err });
  }
  return {
    lanes, ha: rig.ha, stampOf: stamps.stampOf, stop,
    alive: () => !rig.exitedEarly() && rig.ha.latest.get(`${BASE}/status`) === 'online',
    busFigures: (lane) => busFiguresOf(rig, lane),
  };
}
