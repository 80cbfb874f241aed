/**
 * Issue 16 item 5, "the websocket dropped without a close frame": the test Home Assistant freezes
 * the app's websocket (the TCP connection stays open, nothing is read or sent any more, as when a
 * NAT entry or a Wi-Fi link dies), so no close and no error ever reaches the app; only its own ping
 * can find out. The app must notice within one heartbeat and one ping timeout, connect again, post
 * every state again, and deliver the command result it sent into the dead socket. The component
 * version with a fake socket is test/component/ha.connection.test.ts; this is the real process on a
 * real socket. Long form: three freezes at different points of the heartbeat.
 */
import { now, rowOf, sleep, spreadText, allWithin, timeUntil, type Check } from './figures.js';
import type { HaAppRig } from './haAppRig.js';
import { answersCommands, onFreshRig } from './haChecks.js';
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';

/** How long to wait before each freeze (moves it along the 30 s heartbeat). */
const PLANS: Record<ReliabilityLength, { phasesMs: number[] }> = { long: { phasesMs: [0, 10_000, 20_000] }, short: { phasesMs: [0] } };

/** src/ha/connection.ts defaults, which the app runs with: a ping every 30 s, 10 s for its pong. */
const HEARTBEAT_MS = 30_000;
const PING_TIMEOUT_MS = 10_000;
const NOTICE_BOUND_MS = HEARTBEAT_MS + PING_TIMEOUT_MS + 1_000;
/** The library reconnects at once, then every min(tries, 5) s; the states follow get_states. */
const RECONNECT_BOUND_MS = 6_000;
const REPOST_BOUND_MS = 5_000;
const NOTICE = /No pong from Home Assistant/;

interface Freeze {
  /** Freeze → the app's "No pong" line. */
  noticeMs: number | undefined;
  /** That line → a new authenticated session. */
  reconnectMs: number | undefined;
  /** That line → every state accepted again (by posts after the new connection opened). */
  repostMs: number | undefined;
  /** The result of a command sent while frozen reached HA after the reconnect. */
  resultKept: boolean;
}

async function freezeOnce(rig: HaAppRig, phaseMs: number): Promise<Freeze> {
  await sleep(phaseMs);
  const warned = rig.lines(NOTICE);
  const from = now();
  rig.ha.freeze();
  const heldId = rig.send({ command: 'get_statistics' });
  const noticedAt = await timeUntil(() => rig.lines(NOTICE) > warned, NOTICE_BOUND_MS + 10_000);
  if (noticedAt === undefined) return { noticeMs: undefined, reconnectMs: undefined, repostMs: undefined, resultKept: false };
  const authAt = await timeUntil(() => rig.ha.clients() > 0, RECONNECT_BOUND_MS + 10_000);
  // The new connection's own time: the app reconnects and posts within the 20 ms between two looks
  // at its output, so "posted after the line was seen" could miss posts that came before the look.
  const connectedAt = rig.ha.connectedAt.filter((t) => t >= from)[0];
  const postedAt = connectedAt === undefined ? undefined
    : await timeUntil(() => rig.repostedSince(connectedAt), RECONNECT_BOUND_MS + REPOST_BOUND_MS + 10_000);
  const resultKept = await timeUntil(() => rig.resultOf(heldId) !== undefined, 10_000) !== undefined;
  const since = (t: number | undefined) => (t === undefined ? undefined : Math.max(0, t - noticedAt));
  return { noticeMs: noticedAt - from, reconnectMs: since(authAt), repostMs: since(postedAt), resultKept };
}

async function silentSocketChecks(rig: HaAppRig, phasesMs: number[]): Promise<Check[]> {
  const freezes: Freeze[] = [];
  for (const phase of phasesMs) freezes.push(await freezeOnce(rig, phase));
  const notice = freezes.map((f) => f.noticeMs);
  const reconnect = freezes.map((f) => f.reconnectMs);
  const repost = freezes.map((f) => f.repostMs);
  const kept = freezes.filter((f) => f.resultKept).length;
  const n = freezes.length;
  return [
    { ok: allWithin(notice, NOTICE_BOUND_MS), figure: `${n} freeze(s) noticed by ping after ${spreadText(notice)}` },
    { ok: allWithin(reconnect, RECONNECT_BOUND_MS), figure: `reconnected ${spreadText(reconnect)} later` },
    { ok: allWithin(repost, RECONNECT_BOUND_MS + REPOST_BOUND_MS), figure: `all ${rig.baseline.length} states re-posted ${spreadText(repost)} after noticing` },
    { ok: kept === n, figure: `${kept}/${n} command result(s) sent into the dead socket delivered after the reconnect` },
    await answersCommands(rig),
    { ok: rig.ha.clients() === 1, figure: `${rig.ha.clients()} session(s) open at the end` },
  ];
}

async function run(length: ReliabilityLength): Promise<ReliabilityRow[]> {
  const { phasesMs } = PLANS[length];
  const checks = await onFreshRig((rig) => silentSocketChecks(rig, phasesMs));
  return [rowOf('websocket dropped without a close frame',
    `noticed ≤ ${NOTICE_BOUND_MS / 1000} s (ping every ${HEARTBEAT_MS / 1000} s + ${PING_TIMEOUT_MS / 1000} s pong timeout + 1 s); ` +
    `reconnected ≤ ${RECONNECT_BOUND_MS / 1000} s and every state re-posted ≤ ${(RECONNECT_BOUND_MS + REPOST_BOUND_MS) / 1000} s after; ` +
    'no result lost; commands answered; no crash', checks)];
}

export const haSilentSocket: ReliabilityScenario = { name: 'ha-silent-socket', run };
