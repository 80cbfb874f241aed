/**
 * The soak of issue 16 item 7: the built app, unchanged, polls 10,000 entities on 20 simulated
 * commercial inverters (500 values each, on one Modbus TCP gateway on loopback) and publishes them to
 * Debian's mosquitto, for an hour of real time (`npm run reliability`) or a few minutes (`npm test`).
 * A preloaded probe (soakProbe.mjs) samples the app's own process; after the warm-up — every entity
 * read, the first state written — resident memory must not grow, timers and handles must not pile up,
 * no listener warning may appear, the event loop must stay responsive and polling must keep its pace.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createSystemClock } from '../../src/core/clock.js';
import { inverterDevice } from '../../src/sim/devices/inverter.js';
import { SimModbusTcpServer } from '../../src/sim/modbusTcpServer.js';
import { prefixed } from '../../src/sim/points.js';
import { SimDevice } from '../../src/sim/simDevice.js';
import { siteOptions, type SiteSpec } from '../../src/sim/sites.js';
import { startAppProcess } from '../helpers/appProcess.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { findRepoRoot } from '../helpers/pymodbusServer.js';
import { sleep } from './figures.js';
import { judgeSoak, type SoakSample } from './soakJudge.js';
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';

const UNITS = 20;
const MINUTE = 60_000;

interface SoakPlan { durationMs: number; warmupMs: number; probeMs: number }

const PLANS: Record<ReliabilityLength, SoakPlan> = {
  long: { durationMs: 60 * MINUTE, warmupMs: 10 * MINUTE, probeMs: 30_000 },
  short: { durationMs: 4 * MINUTE, warmupMs: 1.5 * MINUTE, probeMs: 5_000 },
};

/** 20 inverters of 500 values: 58 standard rows, 25 extra trackers (75 rows) and 367 string currents. */
export function soakSite(): SiteSpec {
  return {
    name: 'industrial', description: `${UNITS} commercial inverters of 500 values on one TCP gateway`,
    connections: [{ name: 'plant', type: 'tcp', turnaround_ms: 5, max_registers_per_read: 125 }],
    devices: Array.from({ length: UNITS }, (_, i) => {
      const device = inverterDevice({ name: `inv${i + 1}`, unitId: i + 1, turnaroundMs: 5, mppts: 27, strings: 367 });
      return { device: { ...device, points: prefixed(`inv${i + 1}`, device.points) }, connection: 'plant' };
    }),
    contextEntities: [],
  };
}

async function readSamples(file: string): Promise<SoakSample[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as SoakSample);
}

async function runSoak(length: ReliabilityLength): Promise<ReliabilityRow[]> {
  const plan = PLANS[length];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-soak-'));
  const clock = createSystemClock();
  const site = soakSite();
  const devices = site.devices.map(({ device }) => new SimDevice(device, 1, clock.now()));
  const requestsAt: number[] = [];
  const server = new SimModbusTcpServer({ clock, devices, onRequest: () => requestsAt.push(clock.now()) });
  const broker = await startMosquitto();
  const port = await server.start();
  const options = siteOptions(site, '127.0.0.1', port);
  const entities = (options.entities as unknown[]).length;
  await writeFile(path.join(dir, 'options.json'), JSON.stringify({ ...options, log_level: 'warning' }));
  const probeFile = path.join(dir, 'probe.jsonl');
  const app = startAppProcess({
    OPTIONS_FILE: path.join(dir, 'options.json'), DATA_DIR: path.join(dir, 'data'), MQTT_URL: broker.url,
    NODE_OPTIONS: `--import=${path.join(findRepoRoot(), 'test', 'reliability', 'soakProbe.mjs')}`,
    SOAK_PROBE_FILE: probeFile, SOAK_PROBE_MS: String(plan.probeMs), SOAK_WARMUP_MS: String(plan.warmupMs),
  });
  let exited = false;
  void app.exit().then(() => { exited = true; });
  const startedAt = clock.now();
  try {
    await sleep(plan.durationMs);
    if (exited) throw new Error(`the app exited during the soak:\n${app.output().slice(-2000)}`);
    const samples = await readSamples(probeFile);
    return judgeSoak({ entities, units: UNITS, samples, requestsAt, startedAt, ...plan, output: app.output() });
  } finally {
    app.kill('SIGTERM');
    await app.exit();
    await server.stop();
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export const soak: ReliabilityScenario = { name: 'soak', run: runSoak };
