/**
 * Issue 16 item 5, "CRC errors and garbage bytes on RTU": the built app polls a pymodbus RTU device over
 * a real serial line (two socat pty pairs with the corrupting relay between them) while a share of the
 * replies is damaged — flipped bits, garbage bytes, dropped bytes. The device's registers are fixed, so
 * every value HA is sent can be checked against the truth. Observed from outside only (MQTT states, the
 * get_statistics command): no damaged frame may become a value, every broken reply must be counted as a
 * failure, the values must come back once the line is clean, and the app must stay up without piling
 * requests up.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../src/core/random.js';
import { startPtyPair, type PtyPair } from '../helpers/ptyPair.js';
import { startPymodbusServer, type PymodbusServer } from '../helpers/pymodbusServer.js';
import { startCorruptingRelay, type CorruptingRelay } from './corruptingRelay.js';
import { now, sleep } from './figures.js';
import { startMqttRig, type MqttRig } from './mqttRig.js';
import { judgeRtuRun, type RtuRun } from './rtuCorruptionRows.js';
import { RTU_DEVICE, RTU_ENTITIES } from './rtuDevice.js';
import { snapshot, untilGood } from './rtuSnapshot.js';
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';

const PLANS: Record<ReliabilityLength, { cleanMs: number; faultMs: number; rate: number }> = {
  short: { cleanMs: 8_000, faultMs: 45_000, rate: 0.2 },
  long: { cleanMs: 30_000, faultMs: 10 * 60_000, rate: 0.2 },
};
const TIMEOUT_MS = 500;

interface Line {
  appPort: string;
  relay: CorruptingRelay;
  stop(): Promise<void>;
}

/** pty pair 1 (app ↔ relay), pty pair 2 (relay ↔ device), the device and the relay (clean to begin with). */
async function startLine(): Promise<Line> {
  const started: Array<{ stop(): Promise<void> }> = [];
  const stop = async () => {
    for (const part of started.reverse()) await part.stop();
  };
  try {
    const appPair: PtyPair = await startPtyPair();
    started.push(appPair);
    const devicePair: PtyPair = await startPtyPair();
    started.push(devicePair);
    const device: PymodbusServer = await startPymodbusServer({ mode: 'serial', serialPort: devicePair.b, baudrate: 9600, units: { 1: RTU_DEVICE }, log: false });
    started.push(device);
    const relay = await startCorruptingRelay({ appSide: appPair.b, deviceSide: devicePair.a, rate: 0, random: seededRandom(16) });
    started.push(relay);
    return { appPort: appPair.a, relay, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function optionsFor(serialPort: string): unknown {
  return {
    connections: [{ name: 'rs485', type: 'serial', serial_port: serialPort, baudrate: 9600, timeout_ms: TIMEOUT_MS }],
    entities: RTU_ENTITIES.map(({ truth: _truth, ...e }) => ({ ...e, name: e.id, connection: 'rs485', scan_interval: 0.5, min_interval: 0.5 })),
    // fixed registers: without this the optimizer would slow polling down and the line would carry less
    optimizer: { enabled: false, local_steps: false },
  };
}

/** Clean, then damaged, then clean again; the snapshots and counts the rows are judged from. */
async function measure(rig: MqttRig, line: Line, plan: (typeof PLANS)[ReliabilityLength]): Promise<RtuRun> {
  const first = await untilGood(rig, 0, 30_000);
  if (first.at === undefined) throw new Error(`the clean line never gave every true value: ${JSON.stringify(first.last.values)}`);
  const clean0 = await snapshot(rig);
  const relayClean = line.relay.counts();
  await sleep(plan.cleanMs);
  const fault0 = await snapshot(rig);
  const relay0 = line.relay.counts();
  line.relay.setRate(plan.rate);
  const errorsSeen = new Set<string>();
  const deadline = now() + plan.faultMs;
  while (now() < deadline - 3_000) {
    await sleep(2_000);
    for (const e of (await snapshot(rig)).lastErrors) errorsSeen.add(e);
  }
  await sleep(Math.max(0, deadline - 1_500 - now()));
  const readStarted = performance.now();
  const read = await rig.command({ command: 'read_now', entity: 'plain' });
  const readNowMs = performance.now() - readStarted;
  await sleep(Math.max(0, deadline - now()));
  const fault1 = await snapshot(rig);
  const relay1 = line.relay.counts();
  line.relay.setRate(0);
  const stoppedAt = now();
  const recovered = await untilGood(rig, stoppedAt, 60_000);
  await sleep(1_000); // the last states reach the HA side
  return {
    plan, clean0, fault0, fault1, end: recovered.last, recoveredMs: recovered.at === undefined ? undefined : recovered.at - stoppedAt,
    relayClean, relay0, relay1, relayEnd: line.relay.counts(), errorsSeen: [...errorsSeen], readNowMs, readNowAnswered: read.command === 'read_now', readNowOk: read.success,
    states: new Map(RTU_ENTITIES.map((e) => [e.id, rig.states(e.id)])), alive: !rig.exitedEarly(),
  };
}

async function run(length: ReliabilityLength): Promise<ReliabilityRow[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-rel-rtu-'));
  const line = await startLine();
  try {
    const optionsFile = path.join(dir, 'options.json');
    await writeFile(optionsFile, JSON.stringify(optionsFor(line.appPort)));
    const rig = await startMqttRig({ OPTIONS_FILE: optionsFile, DATA_DIR: path.join(dir, 'data') });
    try {
      return judgeRtuRun(await measure(rig, line, PLANS[length]));
    } finally {
      await rig.stop();
    }
  } finally {
    await line.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export const rtuCorruption: ReliabilityScenario = { name: 'rtu-corruption', run };
