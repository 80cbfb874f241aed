/**
 * Issue 16 item 5, "disk full on a small tmpfs": the built demo app (a simulated site, MQTT mode) keeps
 * its data folder on a tmpfs of a few MiB; once it has written its state, a filler file takes every free
 * byte. While full the app must warn naming the state file, keep polling and publishing values, and
 * answer a command that must persist with `failed` — never acknowledge a change that is not on disk.
 * After the filler is removed the next change must be acknowledged and on disk at once (commands write
 * immediately; background saves are hours apart and retried a minute after a failure, src/store/). The
 * state file must parse at every look, and the tmpfs is unmounted whatever happens.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { APP_STATE_FILE } from '../../src/store/appState.js';
import { judgeDiskFull, type DiskFullRun, type FileLook } from './diskFullRows.js';
import { now, sleep } from './figures.js';
import { startMqttRig, type CommandAnswer, type MqttRig } from './mqttRig.js';
import { mountSmallDisk, type SmallDisk } from './tmpfsDisk.js';
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';

const PLANS: Record<ReliabilityLength, { size: string; beforeMs: number; fullMs: number; commandEveryMs: number }> = {
  short: { size: '4m', beforeMs: 10_000, fullMs: 30_000, commandEveryMs: 10_000 },
  long: { size: '4m', beforeMs: 30_000, fullMs: 10 * 60_000, commandEveryMs: 30_000 },
};

/** After the first poll: the burst of first states is over and polling is steady. */
const SETTLE_MS = 5_000;

/** What the state file holds now: whether it parses, and the interval strategy's aggressiveness. */
async function look(dir: string, when: string): Promise<FileLook> {
  try {
    const saved = JSON.parse(await readFile(path.join(dir, APP_STATE_FILE), 'utf8')) as {
      data?: { optimizer?: { loop?: { strategies?: { interval?: { parameters?: { aggressiveness?: number } } } } } };
    };
    return { when, parses: true, aggressiveness: saved.data?.optimizer?.loop?.strategies?.interval?.parameters?.aggressiveness };
  } catch (err) {
    return { when, parses: false, error: (err as Error).message };
  }
}

const setAggressiveness = (rig: MqttRig, value: number): Promise<CommandAnswer> =>
  rig.command({ command: 'update_strategy_parameters', strategy: 'interval', parameters: { aggressiveness: value } });

/** State messages HA received so far (every entity). */
const stateMessages = (rig: MqttRig): number => rig.ha.log.filter((m) => /^modbus_optimizer\/entity\/[^/]+\/state$/.test(m.topic)).length;

/** Entity reads the app counted so far (get_statistics). */
async function polls(rig: MqttRig): Promise<number> {
  const answer = await rig.command({ command: 'get_statistics' });
  const entities = (answer.result as { entities?: Array<{ polls: number }> } | undefined)?.entities ?? [];
  if (!answer.success || entities.length === 0) throw new Error(`get_statistics gave no entities: ${JSON.stringify(answer.error)}`);
  return entities.reduce((a, e) => a + e.polls, 0);
}

/** The full phase: commands that must fail, value messages counted, the file looked at after each. */
async function whileFull(rig: MqttRig, disk: SmallDisk, plan: (typeof PLANS)[ReliabilityLength], looks: FileLook[]) {
  const fullAt = now();
  const fillerBytes = await disk.fill();
  const messages0 = stateMessages(rig);
  const polls0 = await polls(rig);
  const answers: CommandAnswer[] = [];
  const controlStates: Array<string | undefined> = [];
  const deadline = fullAt + plan.fullMs;
  for (let i = 0; now() < deadline; i++) {
    answers.push(await setAggressiveness(rig, i % 2 === 0 ? 0.7 : 0.6));
    looks.push(await look(disk.dir, `while full #${i + 1}`));
    await sleep(Math.min(plan.commandEveryMs, Math.max(0, deadline - now())));
    controlStates.push(rig.ha.latest.get('modbus_optimizer/control/interval_aggressiveness/state'));
  }
  const pollsWhileFull = (await polls(rig)) - polls0;
  return { fillerBytes, fullMs: now() - fullAt, messagesWhileFull: stateMessages(rig) - messages0, pollsWhileFull, answers, controlStates };
}

async function measure(rig: MqttRig, disk: SmallDisk, plan: (typeof PLANS)[ReliabilityLength]): Promise<DiskFullRun> {
  const looks: FileLook[] = [];
  const first = await setAggressiveness(rig, 0.3);
  if (!first.success) throw new Error(`the first change was not saved with space free: ${JSON.stringify(first.error)}`);
  looks.push(await look(disk.dir, 'before'));
  await rig.app.waitFor(/First poll complete/, 30_000);
  await sleep(SETTLE_MS); // past the first burst of states, into steady polling
  const polls0 = await polls(rig);
  const messages0 = stateMessages(rig);
  const before0 = now();
  await sleep(plan.beforeMs);
  const messagesBefore = stateMessages(rig) - messages0;
  const pollsBefore = (await polls(rig)) - polls0;
  const beforeMs = now() - before0;
  const outputBefore = rig.app.output().length;
  const full = await whileFull(rig, disk, plan, looks);
  const warning = rig.app.output().slice(outputBefore).split('\n').find((l) => /^\S+ WARNING /.test(l) && l.includes(APP_STATE_FILE) && /ENOSPC/.test(l));
  await disk.free();
  const freedAt = performance.now();
  const after = await setAggressiveness(rig, 0.9);
  const ackMs = performance.now() - freedAt;
  looks.push(await look(disk.dir, 'after space returned'));
  const leftovers = (await readdir(disk.dir)).filter((f) => f.includes('.tmp'));
  return { plan, beforeMs, messagesBefore, pollsBefore, ...full, warning, after, ackMs, looks, leftovers, alive: !rig.exitedEarly() };
}

async function run(length: ReliabilityLength): Promise<ReliabilityRow[]> {
  const plan = PLANS[length];
  const root = await mkdtemp(path.join(os.tmpdir(), 'mbo-rel-disk-'));
  let disk: SmallDisk | undefined;
  try {
    disk = await mountSmallDisk(root, plan.size);
    const rig = await startMqttRig({ DATA_DIR: disk.dir });
    let result: DiskFullRun;
    try {
      result = await measure(rig, disk, plan);
    } finally {
      await rig.stop();
    }
    result.looks.push(await look(disk.dir, 'after the app stopped'));
    return judgeDiskFull(result);
  } finally {
    await disk?.unmount();
    await rm(root, { recursive: true, force: true });
  }
}

export const diskFull: ReliabilityScenario = { name: 'disk-full', run };
