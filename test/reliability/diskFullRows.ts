/**
 * Judges one disk-full run: the warning, values flowing while full, nothing acknowledged that is not on
 * disk, the first change after the space returns, and the state file at every look — one row each.
 */
import type { CommandAnswer } from './mqttRig.js';
import type { ReliabilityRow } from './types.js';

export interface FileLook {
  when: string;
  parses: boolean;
  aggressiveness?: number;
  error?: string;
}

export interface DiskFullRun {
  plan: { size: string; fullMs: number };
  beforeMs: number;
  /** State messages HA received in the `beforeMs` before the disk filled. */
  messagesBefore: number;
  /** Entity reads the app counted in the same time. */
  pollsBefore: number;
  fillerBytes: number;
  fullMs: number;
  messagesWhileFull: number;
  pollsWhileFull: number;
  /** Answers to the changes sent while full, and HA's control state after each. */
  answers: CommandAnswer[];
  controlStates: Array<string | undefined>;
  /** The first warning after the disk filled that names the state file and ENOSPC. */
  warning: string | undefined;
  /** The change sent right after the filler was removed, and how long its acknowledgement took. */
  after: CommandAnswer;
  ackMs: number;
  looks: FileLook[];
  /** Temporary files left in the data folder. */
  leftovers: string[];
  alive: boolean;
}

/** The first change after the space returns is written at once (a command flushes); allow for the round trip. */
export const ACK_BOUND_MS = 2_000;
const SAVED = 0.3;
const AFTER = 0.9;

function warningRow(r: DiskFullRun): ReliabilityRow {
  return {
    fault: `disk full (${r.plan.size} tmpfs, ${(r.fillerBytes / 2 ** 20).toFixed(1)} MiB filler): warning`,
    figure: r.warning ? `logged: "${r.warning.replace(/^\S+ /, '').slice(0, 200)}"` : 'no warning naming the state file and ENOSPC',
    bound: 'a warning naming the state file and the cause',
    met: r.warning !== undefined,
  };
}

function pollingRow(r: DiskFullRun): ReliabilityRow {
  const rate = (n: number, ms: number) => (n / ms) * 60_000;
  const [pollsBefore, pollsFull] = [rate(r.pollsBefore, r.beforeMs), rate(r.pollsWhileFull, r.fullMs)];
  const [statesBefore, statesFull] = [rate(r.messagesBefore, r.beforeMs), rate(r.messagesWhileFull, r.fullMs)];
  return {
    fault: 'disk full: polling goes on',
    figure: `${r.alive ? 'alive' : 'EXITED'}; while full (${(r.fullMs / 1000).toFixed(0)} s) ${pollsFull.toFixed(0)} entity reads/min against ${pollsBefore.toFixed(0)} before,`
      + ` ${r.messagesWhileFull} states sent to HA (${statesFull.toFixed(0)}/min against ${statesBefore.toFixed(0)})`,
    bound: 'alive; reads at ≥ half the rate before; states keep flowing',
    met: r.alive && pollsFull >= pollsBefore / 2 && r.messagesWhileFull > 0,
  };
}

function refusedRow(r: DiskFullRun): ReliabilityRow {
  const failed = r.answers.filter((a) => !a.success && a.error?.code === 'failed' && /ENOSPC/.test(a.error.message));
  const acked = r.answers.filter((a) => a.success).length;
  const whileFull = r.looks.filter((l) => l.when.startsWith('while full'));
  const unchanged = whileFull.every((l) => l.aggressiveness === SAVED);
  const controlKept = r.controlStates.every((s) => s === String(SAVED));
  const example = failed[0]?.error?.message.slice(0, 160);
  return {
    fault: 'disk full: a change that must be saved',
    figure: `${failed.length} of ${r.answers.length} answered failed (ENOSPC), ${acked} acknowledged; the file held ${SAVED} at all ${whileFull.length} looks`
      + `${unchanged ? '' : ' — NOT: ' + whileFull.map((l) => l.aggressiveness).join('/')}; HA's control ${controlKept ? `kept ${SAVED}` : `showed ${r.controlStates.join('/')}`}`
      + `${example ? ` ("${example}")` : ''}`,
    bound: 'every one failed, none acknowledged, the file and HA unchanged',
    met: r.answers.length > 0 && failed.length === r.answers.length && acked === 0 && unchanged && controlKept,
  };
}

function recoveryRow(r: DiskFullRun): ReliabilityRow {
  const after = r.looks.find((l) => l.when === 'after space returned');
  const onDisk = after?.aggressiveness === AFTER;
  return {
    fault: 'disk full: space returns',
    figure: `the next change ${r.after.success ? 'acknowledged' : `FAILED (${r.after.error?.message ?? '?'})`} ${r.ackMs.toFixed(0)} ms after the filler was removed;`
      + ` ${onDisk ? 'on disk' : `NOT on disk (file holds ${after?.aggressiveness})`}`,
    bound: `acknowledged and on disk within ${ACK_BOUND_MS / 1000} s (commands write at once)`,
    met: r.after.success && onDisk && r.ackMs <= ACK_BOUND_MS,
  };
}

function fileRow(r: DiskFullRun): ReliabilityRow {
  const bad = r.looks.filter((l) => !l.parses);
  const last = r.looks.at(-1);
  return {
    fault: 'disk full: the state file',
    figure: `parsed at ${r.looks.length - bad.length} of ${r.looks.length} looks${bad.length ? ` (not: ${bad.map((l) => `${l.when}: ${l.error}`).join('; ')})` : ''};`
      + ` ${r.leftovers.length} temporary files left${r.leftovers.length ? ` (${r.leftovers.join(', ')})` : ''}; after stop it holds ${last?.aggressiveness}`,
    bound: `always parses; no temporary file left; holds the last acknowledged change (${AFTER})`,
    met: bad.length === 0 && r.leftovers.length === 0 && last?.aggressiveness === AFTER,
  };
}

export function judgeDiskFull(r: DiskFullRun): ReliabilityRow[] {
  return [warningRow(r), pollingRow(r), refusedRow(r), recoveryRow(r), fileRow(r)];
}
