/**
 * The app under Home Assistant faults, as the user runs it: a pymodbus device with five values
 * (two of them writable through the app, so a scenario can change a value while HA is hurt and
 * then check that HA ends up with it), the test Home Assistant on loopback, and the built app
 * (dist/src/main.js) as a child process pointed at both by OPTIONS_FILE, HA_URL and HA_TOKEN.
 * The fault scenarios share it: start it, wait for the baseline (every state posted once), hurt HA,
 * and read figures from what HA saw and from the app's own process (/proc: resident memory, open
 * descriptors; the soak's preloaded probe, soakProbe.mjs: live timers and handles by type).
 */
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess, type AppProcess } from '../helpers/appProcess.js';
import { FakeHomeAssistant } from '../helpers/fakeHomeAssistant.js';
import { freePort } from '../helpers/ports.js';
import { findRepoRoot, startPymodbusServer, type PymodbusServer } from '../helpers/pymodbusServer.js';
import { now, sleep, timeUntil } from './figures.js';

const TOKEN = 'reliability-ha-token-7d41e0';
const MARKER = 'modbus_optimizer';
/** The device's own values; the HA ids they get. */
export const DEVICE_IDS = ['sensor.setpoint', 'sensor.power', 'sensor.temperature', 'sensor.mode', 'binary_sensor.relay'];

function optionsFor(port: number): Record<string, unknown> {
  const at = (id: string, name: string, address: number, extra: Record<string, unknown> = {}) =>
    ({ id, name, connection: 'dev', address, scan_interval: 5, ...extra });
  return {
    connections: [{ name: 'dev', host: '127.0.0.1', port, timeout_ms: 1000 }],
    entities: [
      at('setpoint', 'Setpoint', 0, { writable: true, min: 0, max: 1000 }),
      at('power', 'Power', 1, { unit_of_measurement: 'W', device_class: 'power', state_class: 'measurement' }),
      at('temperature', 'Temperature', 2, { scale: 0.1, unit_of_measurement: '°C', device_class: 'temperature' }),
      at('mode', 'Mode', 3),
      at('relay', 'Relay', 0, { register_type: 'coil', writable: true }),
    ],
  };
}

export interface ProcessFigures {
  rssMb: number;
  fds: number;
  /** Live timers and handles by type (process.getActiveResourcesInfo), from the probe's latest sample. */
  resources: Record<string, number>;
}

export interface HaAppRig {
  ha: FakeHomeAssistant;
  app: AppProcess;
  /** Every entity id the app posted once started (device values and the app's statistics sensors). */
  baseline: string[];
  /** Sends a command (stdin, or an HA event from a user) and waits for its result event in HA. */
  command(body: Record<string, unknown>, via?: 'stdin' | 'event', timeoutMs?: number): Promise<Record<string, unknown> | undefined>;
  /** Sends a command on stdin without waiting; returns its request id. */
  send(body: Record<string, unknown>): string;
  /** The result event HA received for a request id, if any. */
  resultOf(requestId: string): Record<string, unknown> | undefined;
  /** How many log lines match (e.g. each `ready` logs "Connected to Home Assistant"). */
  lines(pattern: RegExp): number;
  /** True once every baseline entity was accepted (200/201) by a POST that arrived at or after `t`. */
  repostedSince(t: number): boolean;
  processFigures(): Promise<ProcessFigures>;
  /** Whether the app is still running. */
  alive(): boolean;
  /** SIGTERM, then everything torn down; the app's exit code. */
  stop(): Promise<number | null>;
}

/** The app's resident memory and open descriptors from /proc, its timers and handles from the probe. */
async function figuresOf(pid: number, probeFile: string): Promise<ProcessFigures> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  const samples = (await readFile(probeFile, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  const latest = samples.length > 0 ? JSON.parse(samples[samples.length - 1] ?? '{}') as { resources?: Record<string, number> } : {};
  return { rssMb: kb / 1024, fds: (await readdir(`/proc/${pid}/fd`)).length, resources: latest.resources ?? {} };
}

/** The soak's probe, preloaded into the app unchanged: one sample a second. */
function probeEnv(probeFile: string): Record<string, string> {
  return {
    NODE_OPTIONS: `--import=${path.join(findRepoRoot(), 'test', 'reliability', 'soakProbe.mjs')}`,
    SOAK_PROBE_FILE: probeFile, SOAK_PROBE_MS: '1000',
  };
}

async function waitBaseline(ha: FakeHomeAssistant, app: AppProcess): Promise<string[]> {
  const ours = () => ha.store.list().filter((s) => s.attributes.managed_by === MARKER).map((s) => s.entity_id).sort();
  const devices = await timeUntil(() => DEVICE_IDS.every((id) => ha.state(id)), 30_000);
  if (devices === undefined) throw new Error(`the app never posted its device entities; output:\n${app.output().slice(-3000)}`);
  let last = ours().length;
  let quietSince = now();
  while (now() - quietSince < 2_000) { // the statistics sensors follow; done once the set holds for 2 s
    await sleep(100);
    if (ours().length !== last) [last, quietSince] = [ours().length, now()];
  }
  return ours();
}

export async function startHaAppRig(): Promise<HaAppRig> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mbo-rel-ha-'));
  const ha = new FakeHomeAssistant({ token: TOKEN });
  let device: PymodbusServer | undefined;
  let app: AppProcess | undefined;
  try {
    const port = await freePort();
    device = await startPymodbusServer({ mode: 'tcp', port, log: false, units: { 1: { holding: [40, 1200, 215, 3], coils: [1] } } });
    await ha.start();
    await writeFile(path.join(dir, 'options.json'), JSON.stringify(optionsFor(port)));
    app = startAppProcess({
      OPTIONS_FILE: path.join(dir, 'options.json'), DATA_DIR: path.join(dir, 'data'), HA_URL: ha.url, HA_TOKEN: TOKEN, ...probeEnv(path.join(dir, 'probe.jsonl')),
    });
    await app.waitFor(/Connected to Home Assistant/, 30_000);
    return rigOf(ha, app, device, dir, await waitBaseline(ha, app));
  } catch (err) {
    app?.kill('SIGKILL');
    await Promise.all([ha.stop(), device?.stop(), rm(dir, { recursive: true, force: true })]);
    throw err;
  }
}

function rigOf(ha: FakeHomeAssistant, app: AppProcess, device: PymodbusServer, dir: string, baseline: string[]): HaAppRig {
  let exited = false;
  void app.exit().then(() => { exited = true; });
  let requests = 0;
  const results = () => ha.events.filter((e) => e.event_type === 'modbus_optimizer_result').map((e) => e.data);
  const resultOf = (id: string) => results().find((r) => r.request_id === id);
  const send = (body: Record<string, unknown>) => {
    const id = `rel-${++requests}`;
    app.write(`${JSON.stringify({ ...body, request_id: id })}\n`);
    return id;
  };
  return {
    ha, app, baseline, resultOf, send,
    async command(body, via = 'stdin', timeoutMs = 15_000) {
      let id: string;
      if (via === 'stdin') id = send(body);
      else {
        id = `rel-${++requests}`;
        ha.fireEvent('modbus_optimizer_command', { ...body, request_id: id }, 'reliability-user');
      }
      await timeUntil(() => resultOf(id) !== undefined, timeoutMs);
      return resultOf(id);
    },
    lines: (pattern) => app.output().split('\n').filter((l) => pattern.test(l)).length,
    repostedSince(t) {
      const accepted = new Set(ha.posts.filter((p) => p.at >= t && (p.status === 200 || p.status === 201)).map((p) => p.entityId));
      return baseline.every((id) => accepted.has(id));
    },
    processFigures: () => figuresOf(app.pid, path.join(dir, 'probe.jsonl')),
    alive: () => !exited,
    async stop() {
      app.kill('SIGTERM');
      const stuck = setTimeout(() => app.kill('SIGKILL'), 15_000);
      const { code } = await app.exit();
      clearTimeout(stuck);
      await Promise.all([ha.stop(), device.stop(), rm(dir, { recursive: true, force: true })]);
      return code;
    },
  };
}
