/**
 * Judges one RTU corruption run: turns the snapshots, the relay's counts and the states HA received into
 * the scenario's rows (wrong values, failures counted, recovery, alive without pile-up). Kept apart from
 * the run so the figures are computed in one place and the run module stays about plumbing.
 */
import { CORRUPTION_KINDS, type RelayCounts } from './corruptingRelay.js';
import { RTU_ENTITIES } from './rtuDevice.js';
import type { Snapshot } from './rtuSnapshot.js';
import type { ReliabilityRow } from './types.js';

export interface RtuRun {
  plan: { cleanMs: number; faultMs: number; rate: number };
  /** Snapshots: start and end of the clean phase (= start of the damage), end of the damage, after recovery. */
  clean0: Snapshot;
  fault0: Snapshot;
  fault1: Snapshot;
  end: Snapshot;
  /** From the end of the damage until every entity had read its true value again. */
  recoveredMs: number | undefined;
  /** Relay counts at the start of the clean phase, when the damage started, when it stopped, at the end. */
  relayClean: RelayCounts;
  relay0: RelayCounts;
  relay1: RelayCounts;
  relayEnd: RelayCounts;
  /** Distinct last-error messages the app showed during the damage. */
  errorsSeen: string[];
  readNowMs: number;
  readNowAnswered: boolean;
  /** Whether that read_now got a value (it may meet a damaged reply: then it answers failed, which is right). */
  readNowOk: boolean;
  /** Every state payload HA received per entity. */
  states: Map<string, string[]>;
  alive: boolean;
}

/** Recovery bound: a few scan intervals (0.5 s) plus a timeout (0.5 s) and a unit back-off step (≤ 2 s). */
export const RECOVERY_BOUND_MS = 10_000;
const READ_NOW_BOUND_MS = 2_000;
const RATE_SLACK = 1.25;

const damagedOf = (c: RelayCounts) => CORRUPTION_KINDS.reduce((a, k) => a + c.corrupted[k], 0);
const perMin = (n: number, fromMs: number, toMs: number) => (n / Math.max(1, toMs - fromMs)) * 60_000;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The kinds of failure the app named, shortened ("CRC error", "timeout", …). */
function kindsOf(messages: readonly string[]): string {
  const kinds = new Set(messages.map((m) => {
    if (/crc/i.test(m)) return 'CRC error';
    if (/no reply within/.test(m)) return 'timeout';
    if (/not responding/.test(m)) return 'unit back-off';
    if (/values, expected/.test(m)) return 'wrong length';
    return m.replace(/\s+\(.*$/, '').slice(0, 40);
  }));
  return [...kinds].sort().join(', ') || 'none';
}

function wrongValuesRow(r: RtuRun): ReliabilityRow {
  const replies = r.relay1.replies - r.relay0.replies;
  const damaged = damagedOf(r.relay1) - damagedOf(r.relay0);
  const share = replies > 0 ? damaged / replies : 0;
  const byKind = CORRUPTION_KINDS.map((k) => `${r.relay1.corrupted[k] - r.relay0.corrupted[k]} ${k.replace('_', ' ')}`).join(', ');
  const all = RTU_ENTITIES.flatMap((e) => (r.states.get(e.id) ?? []).map((payload) => ({ payload, truth: e.truth, id: e.id })));
  const wrong = all.filter((s) => s.payload !== s.truth);
  const changes = r.end.changes - r.clean0.changes;
  const shareOk = damaged > 0 && share >= r.plan.rate * 0.5 && share <= r.plan.rate * 1.5;
  return {
    fault: `RTU: CRC errors and garbage bytes (${pct(r.plan.rate)} of replies, ${Math.round(r.plan.faultMs / 1000)} s)`,
    figure: `${damaged} of ${replies} replies damaged (${pct(share)}: ${byKind}); ${wrong.length} of ${all.length} states sent to HA differ from the registers`
      + `${wrong.length > 0 ? ` (${wrong.slice(0, 3).map((w) => `${w.id}=${w.payload}`).join(', ')})` : ''}; ${changes} value changes seen by the app`,
    bound: `0 wrong values; damaged share within ±50% of ${pct(r.plan.rate)}`,
    met: wrong.length === 0 && changes === 0 && all.length >= RTU_ENTITIES.length && shareOk,
  };
}

function countedRow(r: RtuRun): ReliabilityRow {
  const failed = r.end.busErrors - r.fault0.busErrors;
  const broken = r.relayEnd.broken - r.relay0.broken;
  const damaged = damagedOf(r.relayEnd) - damagedOf(r.relay0);
  const wireFailed = r.end.wire.errors - r.fault0.wire.errors;
  const timeouts = r.end.wire.timeouts - r.fault0.wire.timeouts;
  const onLine = r.end.wire.requests - r.fault0.wire.requests;
  return {
    fault: 'RTU: damaged replies counted',
    figure: `${wireFailed} of ${onLine} exchanges on the line failed (${wireFailed - timeouts} bad replies: CRC, length; ${timeouts} timeouts) for ${broken} replies`
      + ` that could not be read (${damaged - broken} more had garbage only before or after an intact frame); ${failed} failed reads in all,`
      + ` ${failed - wireFailed} of them refused during the unit's back-off after a timeout; the app named: ${kindsOf(r.errorsSeen)}`,
    bound: 'failed exchanges ≥ unreadable replies (each one counted, none taken as data)',
    met: broken > 0 && wireFailed >= broken,
  };
}

function recoveryRow(r: RtuRun): ReliabilityRow {
  return {
    fault: 'RTU: after the damage stops',
    figure: r.recoveredMs === undefined ? 'not every entity read its true value again within 60 s'
      : `every entity read its true value again within ${(r.recoveredMs / 1000).toFixed(1)} s`,
    bound: `≤ ${RECOVERY_BOUND_MS / 1000} s`,
    met: r.recoveredMs !== undefined && r.recoveredMs <= RECOVERY_BOUND_MS,
  };
}

function pileUpRow(r: RtuRun): ReliabilityRow {
  const clean = perMin(r.fault0.requests - r.clean0.requests, r.clean0.at, r.fault0.at);
  const damaged = perMin(r.fault1.requests - r.fault0.requests, r.fault0.at, r.fault1.at);
  const wireClean = perMin(r.relay0.replies - r.relayClean.replies, r.clean0.at, r.fault0.at);
  const wireDamaged = perMin(r.relay1.replies - r.relay0.replies, r.fault0.at, r.fault1.at);
  return {
    fault: 'RTU: app alive, no pile-up while damaged',
    figure: `${r.alive ? 'alive' : 'EXITED'}; ${damaged.toFixed(0)} requests/min while damaged against ${clean.toFixed(0)} clean`
      + ` (on the line ${wireDamaged.toFixed(0)} against ${wireClean.toFixed(0)});`
      + ` ${r.fault1.overruns - r.fault0.overruns} overruns; read_now ${r.readNowAnswered ? `answered (${r.readNowOk ? 'a value' : 'failed'})` : 'NOT answered'} in ${r.readNowMs.toFixed(0)} ms near the end`,
    bound: `alive; requests/min ≤ ${RATE_SLACK}× clean; read_now ≤ ${READ_NOW_BOUND_MS / 1000} s`,
    met: r.alive && damaged <= clean * RATE_SLACK && r.readNowAnswered && r.readNowMs <= READ_NOW_BOUND_MS,
  };
}

export function judgeRtuRun(r: RtuRun): ReliabilityRow[] {
  return [wrongValuesRow(r), countedRow(r), recoveryRow(r), pileUpRow(r)];
}
