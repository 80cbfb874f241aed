/**
 * Issue 16 item 5, "HA restarted 10 times in 5 minutes": the test Home Assistant is stopped (every
 * connection cut, every REST state forgotten, as a real restart does) and started again on the same
 * port, ten times. Each time the app must notice, authenticate again and post every state again;
 * afterwards it must still answer commands, hold one session, and not have grown (resident memory,
 * open descriptors, no listener warning). Short form: the ten restarts in about a minute.
 */
import { allWithin, now, rowOf, sleep, spreadText, timeUntil, type Check } from './figures.js';
import type { HaAppRig, ProcessFigures } from './haAppRig.js';
import { answersCommands, onFreshRig } from './haChecks.js';
// ten reconnects must not grow the process: the soak's bounds for resident memory and timers in flight
import { RESOURCE_SLACK, RSS_GROWTH_MB } from './soakJudge.js';
import type { ReliabilityLength, ReliabilityRow, ReliabilityScenario } from './types.js';

interface RestartPlan { restarts: number; everyMs: number; downMs: number }

/** Down times off the library's retry times (0, 1, 3, 6, 10, 15 s after the loss), so they are not flattered. */
const PLANS: Record<ReliabilityLength, RestartPlan> = {
  long: { restarts: 10, everyMs: 30_000, downMs: 12_000 },
  short: { restarts: 10, everyMs: 6_500, downMs: 1_500 },
};

/** home-assistant-js-websocket retries every min(tries, 5) s: HA back → re-auth within one step and the connect. */
const REAUTH_BOUND_MS = 6_000;
/** get_states (ownership check) and a post per state on loopback. */
const REPOST_BOUND_MS = 5_000;
/** Pooled HTTP connections to HA may differ by a couple. */
const FD_SLACK = 2;

interface Restart {
  /** HA listening again → a client authenticated. */
  reauthMs: number | undefined;
  /** HA listening again → every baseline state accepted again. */
  repostMs: number | undefined;
}

async function restartOnce(rig: HaAppRig, plan: RestartPlan): Promise<Restart> {
  const began = now();
  await rig.ha.stop();
  await sleep(plan.downMs);
  await rig.ha.start();
  const up = now();
  const authAt = await timeUntil(() => rig.ha.clients() > 0, REAUTH_BOUND_MS + 10_000);
  const postedAt = authAt === undefined ? undefined
    : await timeUntil(() => rig.repostedSince(up), REPOST_BOUND_MS + 10_000);
  await sleep(Math.max(0, began + plan.everyMs - now()));
  return { reauthMs: authAt === undefined ? undefined : authAt - up, repostMs: postedAt === undefined ? undefined : postedAt - up };
}

function growthChecks(before: ProcessFigures, after: ProcessFigures): Check[] {
  const grown = after.rssMb - before.rssMb;
  const kinds = [...new Set([...Object.keys(before.resources), ...Object.keys(after.resources)])].sort();
  const count = (f: ProcessFigures, k: string) => f.resources[k] ?? 0;
  return [
    { ok: grown < RSS_GROWTH_MB, figure: `RSS ${before.rssMb.toFixed(1)} → ${after.rssMb.toFixed(1)} MB` },
    { ok: after.fds <= before.fds + FD_SLACK, figure: `open descriptors ${before.fds} → ${after.fds}` },
    { ok: kinds.length > 0 && kinds.every((k) => count(after, k) <= count(before, k) + RESOURCE_SLACK),
      figure: kinds.length === 0 ? 'no probe sample' : kinds.map((k) => `${k} ${count(before, k)} → ${count(after, k)}`).join(', ') },
  ];
}

async function restartChecks(rig: HaAppRig, plan: RestartPlan): Promise<Check[]> {
  const readiesBefore = rig.lines(/Connected to Home Assistant/);
  const before = await rig.processFigures();
  const restarts: Restart[] = [];
  for (let i = 0; i < plan.restarts; i++) restarts.push(await restartOnce(rig, plan));
  await sleep(2_000);
  const after = await rig.processFigures();
  const readies = rig.lines(/Connected to Home Assistant/) - readiesBefore;
  const reauth = restarts.map((r) => r.reauthMs);
  const repost = restarts.map((r) => r.repostMs);
  const reposted = repost.filter((ms) => ms !== undefined).length;
  return [
    { ok: readies >= plan.restarts && reauth.every((ms) => ms !== undefined), figure: `${readies} reconnects seen for ${plan.restarts} restarts` },
    { ok: allWithin(reauth, REAUTH_BOUND_MS), figure: `re-auth after HA was back ${spreadText(reauth)}` },
    { ok: reposted === plan.restarts && allWithin(repost, REAUTH_BOUND_MS + REPOST_BOUND_MS),
      figure: `all ${rig.baseline.length} states re-posted after ${reposted}/${plan.restarts} restarts, ${spreadText(repost)} after HA was back` },
    await answersCommands(rig),
    { ok: rig.ha.clients() === 1, figure: `${rig.ha.clients()} session(s) open at the end` },
    ...growthChecks(before, after),
  ];
}

async function run(length: ReliabilityLength): Promise<ReliabilityRow[]> {
  const plan = PLANS[length];
  const checks = await onFreshRig((rig) => restartChecks(rig, plan));
  const span = `${Math.round((plan.restarts * plan.everyMs) / 1000)} s`;
  return [rowOf(`HA restarted ${plan.restarts} times in ${span} (down ${plan.downMs / 1000} s each)`,
    `reconnect after every restart; re-auth ≤ ${REAUTH_BOUND_MS / 1000} s after HA is back (library retry step ≤ 5 s), ` +
    `every state re-posted ≤ ${(REAUTH_BOUND_MS + REPOST_BOUND_MS) / 1000} s; commands answered; one session; ` +
    `RSS growth < ${RSS_GROWTH_MB} MB, descriptors ≤ +${FD_SLACK}, timers and handles of each kind ≤ +${RESOURCE_SLACK}; no crash or listener warning`, checks)];
}

export const haRestarts: ReliabilityScenario = { name: 'ha-restarts', run };
