/**
 * What the app says about itself at one moment, from the outside: one get_statistics answer reduced to
 * the figures the RTU corruption scenario judges (bus requests, failures and overruns; per-entity values,
 * reads and errors), and a wait for "every entity read its true value since t".
 */
import type { MqttRig } from './mqttRig.js';
import { now, sleep } from './figures.js';
import { RTU_ENTITIES } from './rtuDevice.js';

export interface Snapshot {
  /** Wall-clock ms when the answer came. */
  at: number;
  requests: number;
  /** Failed requests the poller counted (refusals during a back-off included). */
  busErrors: number;
  /** The transport's own counts: exchanges on the line, failed ones, and of those timeouts. */
  wire: { requests: number; errors: number; timeouts: number };
  overruns: number;
  entityErrors: number;
  /** Value changes the app saw (the registers are fixed: every one is a wrong value). */
  changes: number;
  values: Record<string, unknown>;
  /** When each entity was last read successfully (wall ms; 0 = never). */
  lastRead: Record<string, number>;
  /** The entities' last error messages. */
  lastErrors: string[];
}

interface Transport {
  requests: number;
  errors: number;
  timeouts: number;
}

interface Statistics {
  buses: Array<{ requests: number; errors: number; overruns: number; transport?: Transport | null }>;
  entities: Array<{ id: string; changes: number; errors: number; value: unknown; last_read: string | null; last_error: string | null }>;
}

export async function snapshot(rig: MqttRig): Promise<Snapshot> {
  const answer = await rig.command({ command: 'get_statistics' });
  if (!answer.success) throw new Error(`get_statistics failed: ${JSON.stringify(answer.error)}`);
  const stats = answer.result as Statistics;
  const sum = (f: (x: Statistics['buses'][number]) => number) => stats.buses.reduce((a, b) => a + f(b), 0);
  if (stats.buses.some((b) => !b.transport)) throw new Error('get_statistics shows no transport counters (is dist built from this source?)');
  return {
    at: now(),
    requests: sum((b) => b.requests), busErrors: sum((b) => b.errors), overruns: sum((b) => b.overruns),
    wire: {
      requests: sum((b) => b.transport?.requests ?? 0), errors: sum((b) => b.transport?.errors ?? 0), timeouts: sum((b) => b.transport?.timeouts ?? 0),
    },
    entityErrors: stats.entities.reduce((a, e) => a + e.errors, 0),
    changes: stats.entities.reduce((a, e) => a + e.changes, 0),
    values: Object.fromEntries(stats.entities.map((e) => [e.id, e.value])),
    lastRead: Object.fromEntries(stats.entities.map((e) => [e.id, e.last_read === null ? 0 : Date.parse(e.last_read)])),
    lastErrors: stats.entities.flatMap((e) => (e.last_error === null ? [] : [e.last_error])),
  };
}

/** Whether every entity holds its true value, read at or after `since`. */
function allGood(s: Snapshot, since: number): boolean {
  return RTU_ENTITIES.every((e) => String(s.values[e.id]) === e.truth && (s.lastRead[e.id] ?? 0) >= since);
}

/**
 * Polls until every entity read its true value at or after `since`; `at` is when the last of them was
 * read (undefined: not within `timeoutMs`), `last` the final snapshot.
 */
export async function untilGood(rig: MqttRig, since: number, timeoutMs: number): Promise<{ at: number | undefined; last: Snapshot }> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const last = await snapshot(rig);
    if (allGood(last, since)) return { at: Math.max(...RTU_ENTITIES.map((e) => last.lastRead[e.id] ?? 0)), last };
    if (now() > deadline) return { at: undefined, last };
    await sleep(250);
  }
}
